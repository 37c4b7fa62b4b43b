"""CASEBOT_DEVICE (issue 15): the embedding model runs where the setting says, `auto` takes a GPU torch can see,
and a GPU asked for but absent stops casebot at start naming the setting, never a silent fall back to the CPU."""
from __future__ import annotations

import pytest

from bot.cli import EXIT_BAD_INPUT, main
from retrieval.device import Accelerators, DeviceUnavailable, resolve_device

NONE = Accelerators(cuda=False, mps=False)
CUDA = Accelerators(cuda=True, mps=False)
MPS = Accelerators(cuda=False, mps=True)
BOTH = Accelerators(cuda=True, mps=True)


@pytest.mark.parametrize("seen, expected", [(NONE, "cpu"), (CUDA, "cuda"), (MPS, "mps"), (BOTH, "cuda")])
def test_auto_takes_the_gpu_torch_sees(seen, expected):
    assert resolve_device("auto", lambda: seen) == expected
    assert resolve_device(" AUTO ", lambda: seen) == expected


@pytest.mark.parametrize("seen", [NONE, CUDA, MPS, BOTH])
def test_cpu_is_the_cpu_everywhere_and_asks_torch_nothing(seen):
    assert resolve_device("cpu", lambda: pytest.fail("probed torch for cpu")) == "cpu"


@pytest.mark.parametrize("device, seen", [("cuda", NONE), ("cuda", MPS), ("mps", NONE), ("mps", CUDA)])
def test_a_gpu_that_is_not_there_is_an_error_naming_the_setting(device, seen):
    with pytest.raises(DeviceUnavailable, match="CASEBOT_DEVICE"):
        resolve_device(device, lambda: seen)


@pytest.mark.parametrize("device, seen", [("cuda", CUDA), ("cuda", BOTH), ("mps", MPS), ("mps", BOTH)])
def test_a_gpu_that_is_there_is_used(device, seen):
    assert resolve_device(device, lambda: seen) == device


@pytest.mark.parametrize("device", ["cuda", "mps"])
def test_cli_stops_at_start_when_the_gpu_is_missing(monkeypatch, tmp_path, capsys, device):
    """With torch made to see no GPU, whatever this machine has."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("retrieval.device.probe", lambda: NONE)
    monkeypatch.setenv("CASEBOT_DEVICE", device)
    monkeypatch.setattr("retrieval.engine.CaseEngine.load", lambda *a, **k: pytest.fail("started anyway"))
    for command in (["sources"], ["ask", "When must Musk appear?"], ["reindex"], ["health"]):
        code = main(command)
        err = capsys.readouterr().err
        assert code == EXIT_BAD_INPUT, (command, err)
        assert "CASEBOT_DEVICE:" in err and "torch sees no" in err


def test_cuda_on_this_machine_without_a_gpu_stops_naming_the_setting(monkeypatch, tmp_path, capsys):
    """The real probe: this is how it behaves on a developer's or CI's machine, which has no GPU."""
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOT_DEVICE", "cuda")
    monkeypatch.setattr("retrieval.engine.CaseEngine.load", lambda *a, **k: pytest.fail("started anyway"))
    assert main(["sources"]) == EXIT_BAD_INPUT
    assert "CASEBOT_DEVICE:" in capsys.readouterr().err


def test_the_embedder_refuses_a_missing_gpu_before_loading_the_model(monkeypatch):
    from retrieval.config import DEFAULT_MODEL
    from retrieval.embeddings import Embedder

    monkeypatch.setattr("retrieval.device.probe", lambda: NONE)
    monkeypatch.setattr("sentence_transformers.SentenceTransformer",
                        lambda *a, **k: pytest.fail("model loaded for a missing GPU"))
    for device in ("cuda", "mps"):
        with pytest.raises(DeviceUnavailable, match="CASEBOT_DEVICE"):
            Embedder(DEFAULT_MODEL, device=device)


def test_the_engine_loads_the_model_on_the_device_the_setting_resolves_to(monkeypatch, tmp_path):
    """auto with no GPU seen is the CPU; the settings' value reaches the model."""
    from retrieval.engine import CaseEngine
    from tests.conftest import make_settings

    loaded = {}

    class FakeModel:
        def __init__(self, path, device):
            loaded["device"] = device

        def get_sentence_embedding_dimension(self):
            return 384

    monkeypatch.setattr("sentence_transformers.SentenceTransformer", FakeModel)
    from retrieval.cases import CaseRegistry

    for seen, expected in ((NONE, "cpu"), (CUDA, "cuda"), (MPS, "mps")):
        monkeypatch.setattr("retrieval.device.probe", lambda seen=seen: seen)
        engine = CaseEngine(make_settings(tmp_path / "c", tmp_path / "i"))
        assert engine.settings.device == "auto"
        assert engine.embedder.device == expected and loaded["device"] == expected
        # the model every case shares (the CLI's and the bot's path) too
        (tmp_path / "c").mkdir(exist_ok=True)
        loaded.clear()
        registry = CaseRegistry(make_settings(tmp_path / "c", tmp_path / "i"))
        assert registry.embedder.device == expected and loaded["device"] == expected
