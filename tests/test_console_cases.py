"""The console's /case, /add and /remove, on the same core as the CLI and Discord."""
from __future__ import annotations

from bot.console import handle
from bot.console_cases import ConsoleSession
from retrieval.cases import CaseRegistry
from tests.cases_helpers import BOEING, MUSK_QUESTION, MUSK_QUOTE, PARIS, write_two_cases
from tests.conftest import make_settings
from tests.test_cli_cases import NOTE


def test_console_switches_cases_adds_and_removes(tmp_path, embedder):
    registry = CaseRegistry(make_settings(write_two_cases(tmp_path), tmp_path / "index"), embedder=embedder)
    for _, engine in registry.engines():
        engine.reindex()
    session = ConsoleSession(registry, PARIS, registry.engine(PARIS))

    def say(line):
        return handle(session.engine, line, session=session)

    listing = say("/case")
    assert PARIS in listing and BOEING in listing and "X in Paris" in listing and f"In case {PARIS}" in listing
    assert MUSK_QUOTE in say(f"/ask {MUSK_QUESTION}")
    assert "Now in case boeing-door-plug: 2 article(s)" in say(f"/case {BOEING}")
    assert "no answer" in say(f"/ask {MUSK_QUESTION}")
    assert "no case named 'nope'" in say("/case nope") and session.case == BOEING

    note = tmp_path / "note.txt"
    note.write_text(NOTE, encoding="utf-8")
    added = say(f"/add {note} source:Wire Desk Two")
    assert "Added in case boeing-door-plug" in added and "Wire Desk Two" in added
    assert "opened a formal investigation" in say("/ask Who opened an investigation into Boeing's quality control?")
    doc_id = added.split("article id ")[1].split(")")[0]
    assert "Removed" in say(f"/remove {doc_id}")
    assert "Wire Desk Two" not in say("/sources")
    assert "No such file" in say(f"/add {tmp_path / 'missing.md'}")
    assert "loopback" in say("/add http://127.0.0.1:9/article")


def test_console_votes_in_a_case_reach_the_store_that_export_reads(tmp_path, embedder):
    """A vote from the console in a named case lands where the bot's votes land (the root index folder), under
    that case, so `casebot feedback export --case NAME` sees it."""
    from retrieval.feedback import FeedbackStore

    registry = CaseRegistry(make_settings(write_two_cases(tmp_path), tmp_path / "index"), embedder=embedder)
    for _, engine in registry.engines():
        engine.reindex()
    session = ConsoleSession(registry, PARIS, registry.engine(PARIS))
    assert MUSK_QUOTE in handle(session.engine, f"/ask {MUSK_QUESTION}", session=session)
    assert "Feedback stored" in handle(session.engine, "/feedback good 1", session=session)
    [(record, _)] = FeedbackStore(tmp_path / "index").voted(case=PARIS)
    assert record.question == MUSK_QUESTION and MUSK_QUOTE in record.quotes[0].sentence
    assert FeedbackStore(tmp_path / "index").voted(case=BOEING) == []
