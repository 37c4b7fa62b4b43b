"""Several bot processes on one index (issue 15): each serves one Discord shard, set by CASEBOT_SHARD_ID and
CASEBOT_SHARD_COUNT together; a bad pair stops casebot naming the setting."""
from __future__ import annotations

import pytest

from bot.cli import EXIT_BAD_INPUT, main
from bot.discord_app import CaseBot
from bot.settings import BotSettings


def _bot(tmp_path, **shards):
    from retrieval.engine import CaseEngine

    settings = BotSettings(_env_file=None, corpus_dir=tmp_path / "c", index_dir=tmp_path / "i", **shards)
    return CaseBot(settings, CaseEngine(settings), sync_commands=False)  # no model or index is loaded


@pytest.mark.parametrize("shard_id, count", [(0, 2), (1, 2), (3, 4), (0, 1)])
def test_the_bot_connects_as_its_shard(tmp_path, shard_id, count):
    bot = _bot(tmp_path, shard_id=shard_id, shard_count=count)
    assert (bot.shard_id, bot.shard_count) == (shard_id, count)


def test_unsharded_by_default(tmp_path):
    bot = _bot(tmp_path)
    assert bot.shard_id is None and bot.shard_count is None


@pytest.mark.parametrize("env, blamed", [
    ({"CASEBOT_SHARD_ID": "2", "CASEBOT_SHARD_COUNT": "2"}, "CASEBOT_SHARD_COUNT"),
    ({"CASEBOT_SHARD_ID": "5", "CASEBOT_SHARD_COUNT": "3"}, "CASEBOT_SHARD_COUNT"),
    ({"CASEBOT_SHARD_ID": "1"}, "CASEBOT_SHARD_COUNT"),
    ({"CASEBOT_SHARD_COUNT": "4"}, "CASEBOT_SHARD_COUNT"),
])
def test_a_shard_pair_that_does_not_fit_stops_casebot(monkeypatch, tmp_path, capsys, env, blamed):
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("retrieval.engine.CaseEngine.load", lambda *a, **k: pytest.fail("started anyway"))
    assert main(["sources"]) == EXIT_BAD_INPUT
    assert f"{blamed}:" in capsys.readouterr().err
