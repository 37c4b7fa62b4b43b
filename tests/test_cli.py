"""The CLI contract other tools and the bot depend on: JSON shapes, exit codes, messages instead of tracebacks."""
import json
import os
import subprocess
import sys

import pytest

from bot.cli import EXIT_BAD_INPUT, EXIT_INDEX, EXIT_NO_ANSWER, EXIT_OK, main

from .conftest import ROOT

CITATION_KEYS = {"doc_id", "title", "source", "url", "published", "paragraph", "link"}


@pytest.fixture
def cli_env(monkeypatch, corpus_copy, tmp_path):
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(corpus_copy))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    return tmp_path


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_ask_json_contract_and_first_use_builds_the_index(cli_env, capsys):
    code, out, err = _run(capsys, "ask", "When must Musk appear?", "--json")
    assert code == EXIT_OK
    assert "no usable index" in err and "Traceback" not in err
    obj = json.loads(out)
    assert set(obj) == {"question", "answered", "answers", "latency_ms", "confidence", "sure"}
    assert obj["question"] == "When must Musk appear?" and obj["answered"] is True
    assert 0.0 <= obj["confidence"] <= 1.0 and isinstance(obj["sure"], bool)
    assert isinstance(obj["latency_ms"], float) and obj["latency_ms"] > 0
    first = obj["answers"][0]
    assert {"text", "score", "citation"} <= set(first) and isinstance(first["score"], float)
    assert set(first["citation"]) == CITATION_KEYS
    # The link opens the article at the quote: the URL, then a text fragment of the quote's own words.
    from urllib.parse import unquote
    link = first["citation"]["link"]
    assert link.startswith(first["citation"]["url"] + "#:~:text=")
    start = unquote(link.split(":~:text=")[1].split(",")[0])
    assert first["text"].startswith(start)
    assert first["citation"]["published"] == "2026-02-03" and first["citation"]["paragraph"] == 2
    assert "summoned by prosecutors to appear in April" in first["text"]


def test_ask_reads_questions_from_stdin_one_json_line_each(cli_env, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("When must Musk appear?\n\nWhat is the recipe for French onion soup?\n"
                                                  + "x" * 10_000 + "\n"))
    code, out, _ = _run(capsys, "ask", "--json", "-", "-k", "2")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == EXIT_OK and len(lines) == 3
    assert lines[0]["answered"] and len(lines[0]["answers"]) <= 2
    assert lines[1] == {**lines[1], "answered": False, "answers": []}
    assert lines[2]["answered"] is False and "too long" in lines[2]["error"]


def test_exit_codes_and_human_output(cli_env, capsys):
    code, out, _ = _run(capsys, "ask", "When must Musk appear?")
    assert code == EXIT_OK and "> The tech billionaire" in out and "The Independent" in out and "paragraph 2" in out
    code, out, _ = _run(capsys, "ask", "Who won the 2018 football World Cup?")
    assert code == EXIT_NO_ANSWER and "The corpus has no answer to that." in out
    code, _, err = _run(capsys, "ask", "   ")
    assert code == EXIT_BAD_INPUT and "empty" in err


def test_sources_and_reindex_summary(cli_env, capsys):
    code, out, _ = _run(capsys, "reindex", "--json")
    summary = json.loads(out)
    assert code == EXIT_OK and summary["documents"] == 1 and summary["sentences"] == 17
    assert summary["added"] == ["independent-2026-02-03-x-paris-raid"] and summary["skipped"] == []
    (cli_env / "corpus" / "broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    code, out, _ = _run(capsys, "reindex")
    assert code == EXIT_OK and "broken.md: bad front matter" in out
    assert "Index up to date: 1 document, 17 sentences" in out
    code, out, _ = _run(capsys, "sources", "--json")
    [src] = json.loads(out)["sources"]
    assert src["source"] == "The Independent" and src["sentences"] == 17 and src["published"] == "2026-02-03"


def test_ask_notes_a_corpus_changed_since_the_last_reindex(cli_env, capsys):
    _run(capsys, "reindex")
    code, _, err = _run(capsys, "ask", "When must Musk appear?")
    assert code == EXIT_OK and "changed since the last reindex" not in err
    (cli_env / "corpus" / "new.md").write_text("---\ntitle: T\nsource: S\n---\n\nA new article.\n", encoding="utf-8")
    code, _, err = _run(capsys, "ask", "When must Musk appear?")
    assert code == EXIT_OK and "changed since the last reindex" in err and "casebot reindex" in err
    _run(capsys, "reindex")
    _, _, err = _run(capsys, "ask", "When must Musk appear?")
    assert "changed since the last reindex" not in err


def test_missing_corpus_is_a_message_not_a_traceback(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "ask", "When must Musk appear?")
    assert code == EXIT_INDEX and "corpus folder not found" in err and "CASEBOT_CORPUS_DIR" in err
    code, _, err = _run(capsys, "reindex")
    assert code == EXIT_INDEX and "corpus folder not found" in err


def test_invalid_setting_names_the_variable(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CASEBOT_BATCH_SIZE", "lots")
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "sources")
    assert code == EXIT_BAD_INPUT and "CASEBOT_BATCH_SIZE" in err and "lots" not in err


def test_timeline_cli_filters(cli_env, capsys):
    code, out, _ = _run(capsys, "timeline", "--json", "--since", "2026-01-01", "--until", "2026-02-28")
    events = json.loads(out)["events"]
    assert code == EXIT_OK and events and all("2026-01" <= e["date"][:7] <= "2026-02" for e in events)
    code, out, _ = _run(capsys, "timeline")
    assert out.splitlines()[0].startswith("2025-07")


def test_console_script_and_module_entry_points(cli_env):
    env = dict(os.environ)
    for cmd in ([str(ROOT / ".venv" / "bin" / "casebot"), "--help"], [sys.executable, "-m", "bot", "--help"]):
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
        assert r.returncode == 0 and "ask" in r.stdout and "timeline" in r.stdout
