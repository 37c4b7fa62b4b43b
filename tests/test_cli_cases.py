"""From outside, with two cases in one corpus folder: list them, ask each, add a file and a page served on
127.0.0.1, add the same page twice, be refused a loopback address without the setting, remove an article."""
from __future__ import annotations

import json

import pytest

from bot import cli_cases
from bot.cli import EXIT_BAD_INPUT, EXIT_NO_ANSWER, EXIT_OK, main
from retrieval.cases import CaseRegistry
from tests.cases_helpers import BOEING, MUSK_QUESTION, MUSK_QUOTE, PARIS, write_two_cases
from tests.http_pages import (PAYWALL_HTML, PAYWALL_MICRODATA_HTML, PAYWALL_TEASER_HTML, Page, PageServer,
                              article_html)

PAGE = article_html(
    title="Airline finds loose bolts on grounded jets", outlet="The Aviation Desk",
    canonical="https://aviation.example.org/2024/01/loose-bolts", published="2024-01-09",
    paragraphs=["Inspections of the grounded 737 Max 9 fleet found loose bolts on several planes, the airline "
                "said on Monday.",
                "The airline said each plane would return to service only after a detailed inspection."])
PAGE_QUESTION = "What did the inspections of the grounded fleet find?"
PAGE_QUOTE = "found loose bolts on several planes"

NOTE = """date 2024-01-12
title: Regulator opens investigation into Boeing's quality control
source: Wire Desk
url: https://wire.example.com/boeing-quality-probe

The Federal Aviation Administration opened a formal investigation into Boeing's quality control on Thursday.

The regulator said the door plug should never have left the factory without its bolts.
"""


@pytest.fixture
def two_case_cli(tmp_path, monkeypatch, embedder):
    corpus = write_two_cases(tmp_path)
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.chdir(tmp_path)
    # The session's model, so each command does not load its own; everything else is the CLI's own path.
    monkeypatch.setattr(cli_cases, "registry", lambda settings: CaseRegistry(settings, embedder=embedder))
    return corpus


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def sources(capsys, case):
    code, out, _ = run(capsys, "sources", "--case", case, "--json")
    assert code == EXIT_OK
    return json.loads(out)["sources"]


def test_cases_are_listed_and_questions_stay_in_their_case(two_case_cli, capsys):
    code, out, _ = run(capsys, "reindex", "--json")
    assert code == EXIT_OK and set(json.loads(out)["cases"]) == {PARIS, BOEING}
    code, out, _ = run(capsys, "cases", "--json")
    rows = {r["name"]: r for r in json.loads(out)["cases"]}
    assert code == EXIT_OK and set(rows) == {PARIS, BOEING}
    assert rows[PARIS]["title"] == "X in Paris" and rows[PARIS]["articles"] == 1
    assert rows[BOEING]["articles"] == 2 and rows[BOEING]["last_reindex"]

    code, _, err = run(capsys, "ask", MUSK_QUESTION)
    assert code == EXIT_BAD_INPUT and BOEING in err and PARIS in err and "--case" in err
    code, out, _ = run(capsys, "ask", MUSK_QUESTION, "--case", PARIS, "--json")
    assert code == EXIT_OK and MUSK_QUOTE in json.loads(out)["answers"][0]["text"]
    code, out, _ = run(capsys, "ask", MUSK_QUESTION, "--case", BOEING)
    assert code == EXIT_NO_ANSWER and "no answer" in out
    code, _, err = run(capsys, "ask", MUSK_QUESTION, "--case", "no-such-case")
    assert code == EXIT_BAD_INPUT and "no case named" in err
    code, _, err = run(capsys, "timeline")
    assert code == EXIT_BAD_INPUT and "which case" in err
    code, out, _ = run(capsys, "timeline", "--case", BOEING, "--json")
    assert code == EXIT_OK and all("Musk" not in e["text"] for e in json.loads(out)["events"])


def test_add_a_file_then_remove_it(two_case_cli, capsys, tmp_path):
    note = tmp_path / "incoming" / "wire note.txt"
    note.parent.mkdir()
    note.write_text(NOTE, encoding="utf-8")
    code, out, err = run(capsys, "add", str(note), "--case", BOEING, "--json")
    assert code == EXIT_OK, err
    added = json.loads(out)
    assert added["title"] == "Regulator opens investigation into Boeing's quality control"
    assert added["source"] == "Wire Desk" and added["published"] == "2024-01-12" and added["sentences"] == 2
    assert added["first_sentence"].startswith("The Federal Aviation Administration opened")
    assert added["doc_id"] in {s["doc_id"] for s in sources(capsys, BOEING)}
    assert added["doc_id"] not in {s["doc_id"] for s in sources(capsys, PARIS)}
    code, out, _ = run(capsys, "ask", "Who opened an investigation into Boeing's quality control?", "--case", BOEING)
    assert code == EXIT_OK and "opened a formal investigation" in out

    code, out, _ = run(capsys, "remove", added["doc_id"], "--case", BOEING, "--json")
    assert code == EXIT_OK
    removed = json.loads(out)
    assert removed["moved_to"].startswith(".removed/")
    assert (two_case_cli / BOEING / removed["moved_to"]).is_file()  # kept, to undo a mistake
    assert added["doc_id"] not in {s["doc_id"] for s in sources(capsys, BOEING)}
    code, out, _ = run(capsys, "ask", "Who opened an investigation into Boeing's quality control?", "--case", BOEING,
                       "--json")
    assert "opened a formal investigation" not in out
    code, _, err = run(capsys, "remove", added["doc_id"], "--case", BOEING)
    assert code == EXIT_BAD_INPUT and "no article" in err


@pytest.mark.parametrize("argv, reason", [
    (["add", "missing.md"], "no such file"),
    (["add", "notes.pdf"], "unsupported file type"),
    (["add", "empty.txt"], "empty"),
    (["add", "https://example.org/a"], "which case"),
    (["remove", "anything"], "which case"),
])
def test_bad_adds_and_removes_exit_2_and_change_nothing(two_case_cli, capsys, tmp_path, argv, reason):
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    before = sorted(p.name for p in two_case_cli.rglob("*"))
    argv = argv + ([] if "which case" in reason else ["--case", BOEING])
    code, _, err = run(capsys, *argv)
    assert code == EXIT_BAD_INPUT and reason in err.lower()
    assert sorted(p.name for p in two_case_cli.rglob("*")) == before


def test_add_a_page_once_even_when_added_twice_and_refuse_loopback_without_the_setting(
        two_case_cli, capsys, monkeypatch):
    with PageServer() as server:
        server.pages["/2024/01/loose-bolts"] = Page(PAGE)
        server.pages["/menu-only"] = Page(PAYWALL_HTML)
        server.pages["/teaser"] = Page(PAYWALL_TEASER_HTML)
        server.pages["/teaser-microdata"] = Page(PAYWALL_MICRODATA_HTML)
        url = server.url("/2024/01/loose-bolts")

        code, _, err = run(capsys, "add", url, "--case", BOEING)
        assert code == EXIT_BAD_INPUT and "loopback" in err and "CASEBOT_FETCH_ALLOW_PRIVATE" in err
        assert server.requests == []

        monkeypatch.setenv("CASEBOT_FETCH_ALLOW_PRIVATE", "true")
        code, out, err = run(capsys, "add", url, "--case", BOEING, "--json")
        assert code == EXIT_OK, err
        first = json.loads(out)
        assert first["updated"] is False and first["title"] == "Airline finds loose bolts on grounded jets"
        assert first["source"] == "The Aviation Desk" and first["published"] == "2024-01-09"
        assert first["url"] == "https://aviation.example.org/2024/01/loose-bolts"  # the page's canonical link
        code, out, _ = run(capsys, "ask", PAGE_QUESTION, "--case", BOEING)
        assert code == EXIT_OK and PAGE_QUOTE in out

        code, out, _ = run(capsys, "add", url, "--case", BOEING, "--json")
        second = json.loads(out)
        assert code == EXIT_OK and second["updated"] is True and second["doc_id"] == first["doc_id"]
        listed = [s for s in sources(capsys, BOEING) if s["url"] == first["url"]]
        assert len(listed) == 1 and len(sources(capsys, BOEING)) == 3

        for path, reason in (("/menu-only", "no article text"), ("/teaser", "paywalled"),
                             ("/teaser-microdata", "paywalled")):
            code, _, err = run(capsys, "add", server.url(path), "--case", BOEING)
            assert code == EXIT_BAD_INPUT and reason in err and "nothing was added" in err
        assert len(sources(capsys, BOEING)) == 3
