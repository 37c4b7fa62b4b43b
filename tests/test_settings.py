"""Every setting is checked at start, and a bad one stops casebot with that setting's name (issue 16, item 5).

The faults this came from: CASEBOT_LOG_LEVEL=LOUD was accepted silently, CASEBOT_MODEL=/no/such/path was blamed on
CASEBOT_CORPUS_DIR, `ask -k 0` quietly meant 3, and `health` said "1 documents".
"""
from __future__ import annotations

import pytest

from bot.cli import EXIT_BAD_INPUT, main
from bot.settings import BotSettings

# One wrong value per setting (several for some); the value must never be echoed (it may be a secret).
BAD = {
    "discord_token": ["two words", "line\nbreak"],
    "guild_ids": ["newsroom", "12,abc"],
    "admin_role_ids": ["editors"],
    "ask_cooldown_seconds": ["-1", "nan", "soon"],
    "ask_cooldown_rate": ["0", "many"],
    "log_level": ["LOUD", "verbose", "5"],
    "corpus_dir": ["   "],
    "index_dir": ["   "],
    "model": ["/no/such/path", "./missing-model", "~/nowhere/model", "  "],
    "batch_size": ["lots", "0", "100000"],
    "threads": ["-2", "all"],
    "device": ["gpu", "tpu", "cuda:0"],
    "index_backend": ["faiss", "elastic"],
    "shard_id": ["-1", "first"],
    "shard_count": ["0", "many", "2"],  # "2" alone: no CASEBOT_SHARD_ID
    "milvus_uri": ["ftp://milvus.example:19530", "mongodb://db:27017", " / ", "/srv/casebot/milvus-data"],
    "milvus_token": ["two words", "line\nbreak"],
    "milvus_collection": ["bad-name", "1casebot", "a b"],
    "top_k": ["0", "21", "three"],
    "abstain_threshold": ["inf", "nan", "high"],
    "answer_mode": ["careful", "strict", "1"],
    "ann_min_vectors": ["0", "half"],
    "max_file_bytes": ["10", "big"],
    "fetch_allow_private": ["maybe", "2"],
    "fetch_timeout_seconds": ["0", "-1", "nan", "inf", "soon", "1000"],
}


def test_every_setting_has_bad_values_here():
    assert set(BAD) == set(BotSettings.model_fields)


@pytest.mark.parametrize("field, value", [(f, v) for f, values in BAD.items() for v in values])
def test_a_bad_value_stops_casebot_naming_its_setting(monkeypatch, tmp_path, capsys, field, value):
    monkeypatch.chdir(tmp_path)
    name = f"CASEBOT_{field.upper()}"
    monkeypatch.setenv(name, value)
    monkeypatch.setattr("retrieval.engine.CaseEngine.load", lambda *a, **k: pytest.fail("started anyway"))
    code = main(["sources"])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT, err
    assert f"{name}:" in err
    others = [f"CASEBOT_{f.upper()}:" for f in BAD if f != field]
    assert not any(o in err for o in others), err  # no other setting blamed
    if len(value.strip()) >= 3:
        assert value.strip() not in err


@pytest.mark.parametrize("value, level", [("debug", "DEBUG"), (" Warning ", "WARNING"), ("ERROR", "ERROR")])
def test_log_levels_are_read_in_any_case(monkeypatch, value, level):
    monkeypatch.setenv("CASEBOT_LOG_LEVEL", value)
    assert BotSettings(_env_file=None).log_level == level


def test_a_model_folder_that_exists_is_accepted(monkeypatch, tmp_path):
    (tmp_path / "model").mkdir()
    monkeypatch.setenv("CASEBOT_MODEL", str(tmp_path / "model"))
    assert BotSettings(_env_file=None).model == str(tmp_path / "model")


def test_a_model_that_cannot_load_is_blamed_on_the_model_not_the_corpus(monkeypatch, tmp_path, capsys):
    (tmp_path / "empty-model").mkdir()  # a folder, so the setting passes; loading it fails
    (tmp_path / "corpus").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOT_MODEL", str(tmp_path / "empty-model"))
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(tmp_path / "corpus"))

    def unreadable(engine):
        raise OSError("no config.json in the model folder")

    monkeypatch.setattr("bot.runner.load_model", unreadable)
    code = main(["ask", "When must Musk appear?"])
    err = capsys.readouterr().err
    assert code == 3 and "CASEBOT_MODEL" in err and "CASEBOT_CORPUS_DIR" not in err


@pytest.mark.parametrize("k", ["0", "-1", "21", "three", "2.5"])
def test_ask_refuses_a_count_out_of_range(monkeypatch, tmp_path, capsys, k):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("retrieval.engine.CaseEngine.load", lambda *a, **kw: pytest.fail("asked anyway"))
    assert main(["ask", "When must Musk appear?", "-k", k]) == EXIT_BAD_INPUT
    assert "-k" in capsys.readouterr().err


@pytest.mark.parametrize("count", ["0", "21", "-3", "two"])
def test_console_refuses_a_count_out_of_range(count):
    from bot.console import handle

    class NoEngine:
        def ask(self, *a):
            raise AssertionError("asked anyway")

    assert "1 to 20" in handle(NoEngine(), f"/ask question:When must Musk appear? count:{count}")


def test_health_counts_in_words(engine, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(engine.settings.corpus_dir))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(engine.settings.index_dir))
    assert main(["health"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: 1 document, ") and "1 documents" not in out and out.rstrip().endswith("sentences")


@pytest.mark.parametrize("typo, meant", [("CASEBOT_LOGLEVEL", "CASEBOT_LOG_LEVEL"),
                                         ("CASEBOT_COPRUS_DIR", "CASEBOT_CORPUS_DIR"),
                                         ("CASEBOT_DISCORD_TOKEN_", "CASEBOT_DISCORD_TOKEN"),
                                         ("CASEBOT_GUILD_ID", "CASEBOT_GUILD_IDS"),
                                         ("CASEBOT_FROBNICATE", None)])
def test_a_misspelt_setting_is_not_ignored_without_a_word(monkeypatch, tmp_path, capsys, typo, meant):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"{typo}=secret-value\n")
    main(["health"])  # reads the settings, then finds no index
    err = capsys.readouterr().err
    assert f"warning: {typo} is not a casebot setting" in err and "secret-value" not in err
    assert (f"did you mean {meant}?" in err) if meant else "did you mean" not in err


def test_the_milvus_backend_without_a_uri_names_the_uri(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOT_INDEX_BACKEND", "milvus")
    monkeypatch.setattr("retrieval.engine.CaseEngine.load", lambda *a, **k: pytest.fail("started anyway"))
    assert main(["sources"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "CASEBOT_MILVUS_URI:" in err and "CASEBOT_INDEX_BACKEND:" not in err
