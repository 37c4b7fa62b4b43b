"""Votes on answers become eval questions: the store, the rules of export, and the loop end to end
(console vote → `casebot feedback export` → the project's scorer runs the exported file as it is)."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date

import pytest

from bot.cli import main as cli_main
from bot.console import handle
from retrieval.feedback import (BAD, GOOD, HAS_ANSWER, SHOULD_ABSTAIN, AnswerRecord, BadVote, FeedbackStore,
                                QuotedPassage, Vote, export, question_id, record_reply, stats, verdict_of)
from retrieval.models import Answer, AnswerResult, Citation

from .conftest import EVAL, ROOT

MUSK = "When must Musk appear?"
MUSK_SENTENCE = ("The tech billionaire has also been summoned by prosecutors to appear in April, following a "
                 "year-long investigation into into suspected abuse of algorithms by X or its executives.")
SOUP = "What is the recipe for French onion soup?"


def _result(question: str, quotes: list[tuple[str, tuple[int, ...]]]) -> AnswerResult:
    cite = Citation("doc-a", "A title", "Outlet", "https://example.org/a", "2026-02-03", 2)
    answers = tuple(Answer(text, 0.5, cite, sentence_ids=ids) for text, ids in quotes)
    return AnswerResult(question, bool(answers), answers)


@pytest.fixture
def store(tmp_path):
    return FeedbackStore(tmp_path / "index")


def _answered(store, question="Who raided X?", n=2):
    quotes = [(f"Context. Sentence {i} about the raid.", (10 * i, 10 * i + 1)) for i in range(1, n + 1)]
    texts = {10 * i + 1: f"Sentence {i} about the raid." for i in range(1, n + 1)}
    return store.record_answer(_result(question, quotes), build="b1", sentence_texts=texts)


def _abstained(store, question=SOUP):
    return store.record_answer(_result(question, []), build="b1")


# -- the store -----------------------------------------------------------------------------------------------------
def test_a_vote_is_stored_with_what_was_quoted_and_a_hash_not_the_user_id(store):
    record = _answered(store)
    outcome = store.vote(record.answer_id, "discord:123456789012345678", GOOD, 2)
    assert outcome.previous is None and outcome.vote.quote == 2
    [vote] = store.votes_on(record.answer_id)
    assert vote.verdict == GOOD and vote.quote == 2 and vote.voted_at.endswith("Z")
    again = store.answer(record.answer_id)
    assert again.question == "Who raided X?" and again.build == "b1" and again.case == "default"
    assert [q.sentence for q in again.quotes] == ["Sentence 1 about the raid.", "Sentence 2 about the raid."]
    assert [q.sentence_ids for q in again.quotes] == [(10, 11), (20, 21)]
    raw = store.path.read_bytes() + b"".join(p.read_bytes() for p in store.path.parent.glob("feedback.sqlite*"))
    assert b"123456789012345678" not in raw
    # Another folder (another salt) gives the same person another hash: the hash cannot be looked up elsewhere.
    assert FeedbackStore(store.dir.parent / "other").user_hash("discord:1") != store.user_hash("discord:1")


def test_one_vote_per_person_per_answer_a_second_click_changes_it(store):
    record = _answered(store)
    store.vote(record.answer_id, "discord:1", GOOD, 1)
    changed = store.vote(record.answer_id, "discord:1", BAD)
    assert changed.previous == GOOD
    store.vote(record.answer_id, "discord:2", GOOD, 1)
    votes = {v.user_hash: v.verdict for v in store.votes_on(record.answer_id)}
    assert sorted(votes.values()) == [BAD, GOOD] and len(votes) == 2
    # The same person on another answer is another vote.
    other = _answered(store, "Who else?")
    store.vote(other.answer_id, "discord:1", GOOD, 2)
    assert len(store.votes_on(other.answer_id)) == 1


@pytest.mark.parametrize("make, verdict, quote, message", [
    (_answered, HAS_ANSWER, None, "should-abstain"),
    (_abstained, SHOULD_ABSTAIN, None, "has-answer"),
    (_abstained, BAD, None, "has-answer"),
    (_answered, GOOD, 3, "1 to 2"),
    (_answered, GOOD, 0, "1 to 2"),
    (_answered, "great", None, "unknown verdict"),
])
def test_votes_that_do_not_fit_the_answer_are_refused_with_the_reason(store, make, verdict, quote, message):
    record = make(store)
    with pytest.raises(BadVote, match=message):
        store.vote(record.answer_id, "discord:1", verdict, quote)
    assert store.votes_on(record.answer_id) == []


def test_a_vote_on_an_unknown_answer_is_refused(store):
    with pytest.raises(BadVote, match="not in the feedback store"):
        store.vote("0123456789abcdef", "discord:1", GOOD)


def test_filters_by_case_and_by_vote_date(store):
    record = _answered(store)
    store.vote(record.answer_id, "discord:1", GOOD, 1)
    assert len(store.voted()) == 1
    assert len(store.voted(case="default")) == 1
    assert store.voted(case="eu-dsa-x") == []
    assert len(store.voted(since=date(2000, 1, 1))) == 1
    assert store.voted(since=date(2999, 1, 1)) == []


def test_reading_an_index_folder_without_votes_creates_nothing(tmp_path):
    assert FeedbackStore(tmp_path / "none").voted() == []
    assert not (tmp_path / "none").exists()


# -- export rules --------------------------------------------------------------------------------------------------
def _rec(answered=True, question="Q?", case="default", n=2):
    quotes = tuple(QuotedPassage(i, f"passage {i}", f"sentence {i}", (i,), "doc", 1) for i in range(1, n + 1))
    return AnswerRecord(f"{hash((question, answered)) & 0xffff:016x}", question, case, answered,
                        quotes if answered else (), "b1", "2026-12-01T00:00:00Z")


def _votes(*verdicts):
    return [Vote("a", f"u{i}", v if isinstance(v, str) else v[0], None if isinstance(v, str) else v[1],
                 "2026-12-01T00:00:00Z") for i, v in enumerate(verdicts)]


@pytest.mark.parametrize("answered, votes, expected", [
    (True, [(GOOD, 2)], ("expect", [2])),
    (True, [(GOOD, 2), (GOOD, 1), (GOOD, 2)], ("expect", [2, 1])),  # most confirmed first
    (True, [(GOOD, 1), (GOOD, 1), BAD], ("expect", [1])),  # the majority says right
    (True, [SHOULD_ABSTAIN], ("abstain", [])),
    (True, [SHOULD_ABSTAIN, SHOULD_ABSTAIN, (GOOD, 1)], ("abstain", [])),
    (True, [BAD], ("review", [])),  # 👎 says the quote is wrong, not what is right
    (True, [(GOOD, 1), BAD], ("review", [])),  # a tie goes to an editor
    (True, [(GOOD, 1), SHOULD_ABSTAIN], ("review", [])),
    (True, [BAD, SHOULD_ABSTAIN], ("review", [])),
    (False, [GOOD], ("abstain", [])),
    (False, [HAS_ANSWER], ("review", [])),
    (False, [GOOD, HAS_ANSWER], ("review", [])),
    (False, [GOOD, GOOD, HAS_ANSWER], ("abstain", [])),
])
def test_what_the_votes_on_one_reply_say(answered, votes, expected):
    assert verdict_of(_rec(answered), _votes(*votes)) == expected


def test_export_writes_eval_lines_and_a_review_list():
    out = export([
        (_rec(question="Who raided X?"), _votes((GOOD, 2))),
        (_rec(question="  who raided  X? "), _votes((GOOD, 1))),  # the same question again: one line, both gold
        (_rec(question="Is the moon made of cheese?"), _votes(SHOULD_ABSTAIN)),
        (_rec(False, question=SOUP), _votes(GOOD)),
        (_rec(question="Why was X fined?"), _votes(BAD, BAD)),
        (_rec(False, question="When is the hearing?"), _votes(HAS_ANSWER)),
    ])
    lines = {q["question"].strip(): q for q in out.questions}
    assert lines["Who raided X?"]["expect_any"] == ["sentence 2", "sentence 1"]
    assert lines["Who raided X?"]["id"] == question_id("default", "who raided x?")
    assert lines["Is the moon made of cheese?"]["expect"] == "abstain"
    assert lines[SOUP]["expect"] == "abstain" and "expect_any" not in lines[SOUP]
    assert set(lines) == {"Who raided X?", "Is the moon made of cheese?", SOUP}
    for line in out.questions:
        assert {"id", "question"} <= set(line) and ("expect_any" in line) != ("expect" in line)
    review = {r["question"]: r for r in out.review}
    assert set(review) == {"Why was X fined?", "When is the hearing?"}
    [reply] = review["Why was X fined?"]["replies"]
    assert reply["votes"] == {BAD: 2} and [q["text"] for q in reply["quoted"]] == ["passage 1", "passage 2"]
    assert review["When is the hearing?"]["replies"][0]["quoted"] == []


def test_a_question_confirmed_both_as_answered_and_unanswerable_goes_to_review():
    out = export([(_rec(question="Q?"), _votes((GOOD, 1))), (_rec(False, question="Q?"), _votes(GOOD))])
    assert out.questions == []
    assert [r["question"] for r in out.review] == ["Q?"] and "conflict" in out.review[0]


def test_stats_count_verdicts_and_rank_the_worst_questions():
    s = stats([
        (_rec(question="Fine?"), _votes((GOOD, 1), (GOOD, 1))),
        (_rec(question="Bad?"), _votes(BAD, BAD, SHOULD_ABSTAIN)),
        (_rec(question="Mixed?"), _votes(BAD, (GOOD, 1))),
        (_rec(False, question="Missed?"), _votes(HAS_ANSWER)),
    ])
    assert s.replies == 4 and s.votes == 8
    assert s.by_verdict == {GOOD: 3, BAD: 3, SHOULD_ABSTAIN: 1, HAS_ANSWER: 1}
    assert [t.question for t in s.worst] == ["Bad?", "Missed?", "Mixed?"]  # "Fine?" has nothing against it


# -- the loop end to end -------------------------------------------------------------------------------------------
def test_votes_survive_a_reindex_and_sentence_texts_come_from_the_index(engine):
    store = FeedbackStore(engine.settings.index_dir)
    result = engine.ask(MUSK, 1)
    record = record_reply(store, engine.index, result)
    assert record.quotes[0].sentence == MUSK_SENTENCE
    assert record.build == engine.index.path.name
    store.vote(record.answer_id, "discord:1", GOOD, 1)
    for i in range(3):  # builds come and go; the oldest are pruned
        (engine.settings.corpus_dir / f"note-{i}.md").write_text(
            f"---\ntitle: Note {i}\nsource: Wire\n---\n\nThe hearing {i} was postponed again.\n", encoding="utf-8")
        engine.reindex()
    assert engine.index.path.name != record.build
    [(kept, votes)] = FeedbackStore(engine.settings.index_dir).voted()
    assert kept.answer_id == record.answer_id and [v.verdict for v in votes] == [GOOD]


def test_console_vote_then_cli_export_prints_that_question_with_that_sentence(engine, monkeypatch, capsys):
    assert "summoned by prosecutors" in handle(engine, f"/ask {MUSK}")
    assert "quote [1] is right" in handle(engine, "/feedback good")
    handle(engine, f"/ask {SOUP}")
    assert "use “has-answer”" in handle(engine, "/feedback should-abstain")  # refused, with the reason
    assert "right to say there is no answer" in handle(engine, "/feedback good")
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(engine.settings.index_dir))
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(engine.settings.corpus_dir))
    monkeypatch.chdir(engine.settings.index_dir.parent)
    capsys.readouterr()
    assert cli_main(["feedback", "export"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"id": question_id("default", MUSK), "case": "default", "question": MUSK,
            "expect_any": [MUSK_SENTENCE]} in lines
    assert {"id": question_id("default", SOUP), "case": "default", "question": SOUP, "expect": "abstain"} in lines
    assert cli_main(["feedback", "stats"]) == 0
    assert "2 vote(s) on 2 replies" in capsys.readouterr().out


def test_console_feedback_needs_an_answer_and_a_known_verdict(engine):
    assert "Ask something first" in handle(engine, "/feedback good")
    handle(engine, f"/ask {MUSK}")
    for line in ("/feedback", "/feedback great", "/feedback good first", "/feedback good 1 2"):
        assert "Usage: /feedback" in handle(engine, line)
    assert "1 to" in handle(engine, "/feedback good 9")


def test_exported_file_is_scored_by_the_eval_runner_as_it_is(bundled_engine, tmp_path, monkeypatch, capsys):
    store = FeedbackStore(tmp_path / "index")
    for question, verdict in ((MUSK, GOOD), (SOUP, GOOD), ("Who led the raid on X's offices?", BAD)):
        record = record_reply(store, bundled_engine.index, bundled_engine.ask(question))
        store.vote(record.answer_id, "discord:7", verdict, 1 if record.answered and verdict == GOOD else None)
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.chdir(tmp_path)
    out, review = tmp_path / "votes.jsonl", tmp_path / "review.json"
    assert cli_main(["feedback", "export", "--out", str(out), "--review", str(review)]) == 0
    assert len(out.read_text().splitlines()) == 2
    assert [r["question"] for r in json.loads(review.read_text())["review"]] == ["Who led the raid on X's offices?"]
    r = subprocess.run([sys.executable, str(EVAL / "score.py"), str(ROOT), str(out), "--json"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    scores = json.loads(r.stdout.splitlines()[-1])
    assert scores["hit1"] == 1.0 and scores["abstain"] == 1.0 and scores["verbatim"] == 1.0


def test_the_store_is_plain_sqlite_an_editor_can_query(store):
    record = _answered(store)
    store.vote(record.answer_id, "discord:1", GOOD, 1)
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT question, verdict FROM votes JOIN answers USING (answer_id)").fetchall() == \
            [("Who raided X?", GOOD)]


def test_two_processes_starting_the_store_at_once_share_one_salt(tmp_path):
    import concurrent.futures

    stores = [FeedbackStore(tmp_path / "index") for _ in range(8)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        hashes = set(pool.map(lambda s: s.user_hash("discord:42"), stores))
    assert len(hashes) == 1
    assert [p.name for p in (tmp_path / "index").iterdir()] == ["feedback.salt"]  # no stray temporary files
    assert (tmp_path / "index" / "feedback.salt").stat().st_mode & 0o777 == 0o600


def test_console_vote_after_a_reindex_keeps_the_sentence_that_was_shown(engine):
    handle(engine, f"/ask {MUSK}")
    build = engine.index.path.name
    (engine.settings.corpus_dir / "note.md").write_text("---\ntitle: Note\nsource: Wire\n---\n\nA hearing moved.\n",
                                                        encoding="utf-8")
    handle(engine, "/reindex")
    assert engine.index.path.name != build
    handle(engine, "/feedback good 1")
    [(record, _)] = FeedbackStore(engine.settings.index_dir).voted()
    assert record.build == build and record.quotes[0].sentence == MUSK_SENTENCE
