"""Reporters' votes on answers, kept beside the indexes, and what they become: eval questions and a review list.

    INDEX_DIR/feedback.sqlite   every answer that was shown with vote buttons, and the votes on it
    INDEX_DIR/feedback.salt     the secret that turns a user id into the hash stored with a vote

The store lives outside `builds/`, so votes survive every reindex; an answer keeps the sentence texts it quoted,
so a vote still means the same thing after sentence ids have moved. A voter is stored only as an HMAC of their
id under the salt, never the id: the database alone cannot be matched back to people, and one person still has
one vote per answer (a second vote replaces the first).

`export` and `stats` are pure functions over the records, so the rules are tested without a database.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from retrieval.models import AnswerResult

FEEDBACK_NAME = "feedback.sqlite"
SALT_NAME = "feedback.salt"
DEFAULT_CASE = "default"  # until the index knows of several cases

GOOD, BAD, SHOULD_ABSTAIN, HAS_ANSWER = "good", "bad", "should-abstain", "has-answer"
VERDICTS = (GOOD, BAD, SHOULD_ABSTAIN, HAS_ANSWER)
AGAINST = (BAD, SHOULD_ABSTAIN, HAS_ANSWER)  # votes that say the reply was wrong

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    answer_id TEXT PRIMARY KEY, question TEXT NOT NULL, case_name TEXT NOT NULL, answered INTEGER NOT NULL,
    quotes TEXT NOT NULL, build TEXT NOT NULL, asked_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL REFERENCES answers(answer_id), user_hash TEXT NOT NULL, verdict TEXT NOT NULL,
    quote INTEGER, voted_at TEXT NOT NULL, PRIMARY KEY (answer_id, user_hash)
);
CREATE INDEX IF NOT EXISTS votes_time ON votes (voted_at);
"""


class BadVote(ValueError):
    """A vote that does not fit the answer (unknown answer, quote number out of range, wrong verdict)."""


@dataclass(frozen=True)
class QuotedPassage:
    """One quote of a reply, as numbered there ([1], [2], …)."""

    n: int
    text: str  # the passage as shown
    sentence: str  # the sentence that was ranked (the passage's last), verbatim: what an eval question expects
    sentence_ids: tuple[int, ...]
    doc_id: str
    paragraph: int

    def to_json(self) -> dict:
        return {"n": self.n, "text": self.text, "sentence": self.sentence, "sentence_ids": list(self.sentence_ids),
                "doc_id": self.doc_id, "paragraph": self.paragraph}

    @classmethod
    def from_json(cls, d: Mapping) -> "QuotedPassage":
        return cls(int(d["n"]), d["text"], d["sentence"], tuple(d["sentence_ids"]), d["doc_id"], int(d["paragraph"]))


@dataclass(frozen=True)
class AnswerRecord:
    answer_id: str
    question: str
    case: str
    answered: bool
    quotes: tuple[QuotedPassage, ...]
    build: str  # the index build that answered
    asked_at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class Vote:
    answer_id: str
    user_hash: str
    verdict: str
    quote: int | None  # which quote a 👍 confirms (1-based); None otherwise
    voted_at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class VoteOutcome:
    record: AnswerRecord
    vote: Vote
    previous: str | None  # the voter's earlier verdict on this answer, if any


def quotes_of(result: AnswerResult, sentence_texts: Mapping[int, str]) -> tuple[QuotedPassage, ...]:
    """The reply's quotes, with the ranked sentence's own text (looked up by id; the passage when unknown)."""
    out = []
    for n, answer in enumerate(result.answers, start=1):
        ids = tuple(answer.sentence_ids)
        sentence = sentence_texts.get(ids[-1]) if ids else None
        out.append(QuotedPassage(n, answer.text, sentence or answer.text, ids, answer.citation.doc_id,
                                 answer.citation.paragraph))
    return tuple(out)


def check_vote(record: AnswerRecord, verdict: str, quote: int | None) -> int | None:
    """The quote number the vote is about (None when it is about the whole reply). Raises BadVote."""
    if verdict not in VERDICTS:
        raise BadVote(f"unknown verdict {verdict!r}; one of: {', '.join(VERDICTS)}")
    if record.answered:
        if verdict == HAS_ANSWER:
            raise BadVote("that reply quoted an answer; use “should-abstain” if the corpus has none")
        if verdict != GOOD:
            return None
        n = 1 if quote is None else quote
        if not 1 <= n <= len(record.quotes):
            raise BadVote(f"that reply has quotes 1 to {len(record.quotes)}, not {n}")
        return n
    if verdict in (BAD, SHOULD_ABSTAIN):
        raise BadVote("that reply said the corpus has no answer; use “has-answer” if it does")
    return None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class FeedbackStore:
    """The SQLite file of answers and votes in an index folder. Each call opens its own connection, so the
    bot's threads, the console and `casebot feedback` can all use it (WAL: readers never block the writer)."""

    def __init__(self, index_dir: Path):
        self.dir = Path(index_dir)
        self.path = self.dir / FEEDBACK_NAME
        self._salt: bytes | None = None

    def _connect(self) -> sqlite3.Connection:
        self.dir.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
        return conn

    # -- voters ----------------------------------------------------------------------------------------------
    def _secret(self) -> bytes:
        if self._salt is None:
            path = self.dir / SALT_NAME
            if not path.exists():
                self.dir.mkdir(parents=True, exist_ok=True)
                # Written whole under a private name, then linked into place: a second process (the bot and the
                # console at once) either wins the link or reads the winner's salt, never a half-written file.
                tmp = self.dir / f".{SALT_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_hex(32))
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    pass
                finally:
                    tmp.unlink()
            salt = bytes.fromhex(path.read_text().strip())
            if len(salt) < 16:
                raise OSError(f"{path} does not hold a usable salt; remove it to start a new one")
            self._salt = salt
        return self._salt

    def user_hash(self, user_key: str) -> str:
        """HMAC-SHA256 of a voter's key ("discord:1234", "console:rita") under this folder's salt."""
        return hmac.new(self._secret(), user_key.encode(), hashlib.sha256).hexdigest()[:32]

    # -- answers ---------------------------------------------------------------------------------------------
    def record_answer(self, result: AnswerResult, *, build: str, case: str = DEFAULT_CASE,
                      sentence_texts: Mapping[int, str] | None = None) -> AnswerRecord:
        """Keep a reply that is shown with vote buttons; its id goes into the buttons."""
        record = AnswerRecord(secrets.token_hex(8), result.question, case or DEFAULT_CASE, result.answered,
                              quotes_of(result, sentence_texts or {}), build, _now())
        with closing(self._connect()) as conn, conn:
            conn.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (record.answer_id, record.question, record.case, int(record.answered),
                          json.dumps([q.to_json() for q in record.quotes], ensure_ascii=False), record.build,
                          record.asked_at))
        return record

    def answer(self, answer_id: str) -> AnswerRecord | None:
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT * FROM answers WHERE answer_id = ?", (answer_id,)).fetchone()
        return _record(row) if row else None

    def vote(self, answer_id: str, user_key: str, verdict: str, quote: int | None = None) -> VoteOutcome:
        """Store one person's vote on a reply, replacing their earlier one. Raises BadVote."""
        record = self.answer(answer_id)
        if record is None:
            raise BadVote("that answer is not in the feedback store (it may come from another casebot)")
        n = check_vote(record, verdict, quote)
        vote = Vote(answer_id, self.user_hash(user_key), verdict, n, _now())
        with closing(self._connect()) as conn, conn:
            row = conn.execute("SELECT verdict FROM votes WHERE answer_id = ? AND user_hash = ?",
                               (answer_id, vote.user_hash)).fetchone()
            conn.execute("INSERT OR REPLACE INTO votes VALUES (?, ?, ?, ?, ?)",
                         (vote.answer_id, vote.user_hash, vote.verdict, vote.quote, vote.voted_at))
        return VoteOutcome(record, vote, row[0] if row else None)

    def votes_on(self, answer_id: str) -> list[Vote]:
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT * FROM votes WHERE answer_id = ? ORDER BY voted_at", (answer_id,)).fetchall()
        return [Vote(*r) for r in rows]

    def voted(self, *, case: str | None = None, since: date | None = None) -> list[tuple[AnswerRecord, list[Vote]]]:
        """Every reply with votes (cast on or after `since`, in `case`), oldest first, with those votes."""
        if not self.path.exists():
            return []
        query = ("SELECT a.*, v.* FROM votes v JOIN answers a USING (answer_id) WHERE 1=1"
                 + (" AND a.case_name = ?" if case else "") + (" AND v.voted_at >= ?" if since else "")
                 + " ORDER BY a.asked_at, a.answer_id, v.voted_at")
        params = [p for p in (case, since.isoformat() if since else None) if p]
        with closing(self._connect()) as conn:
            rows = conn.execute(query, params).fetchall()
        out: dict[str, tuple[AnswerRecord, list[Vote]]] = {}
        for row in rows:
            record = _record(row[:7])
            out.setdefault(record.answer_id, (record, []))[1].append(Vote(*row[7:]))
        return list(out.values())


def record_reply(store: FeedbackStore, index, result: AnswerResult, *, case: str | None = None) -> AnswerRecord:
    """Store a reply of `index` (a CaseIndex: its build id and the quoted sentences' own texts go with it)."""
    ids = [a.sentence_ids[-1] for a in result.answers if a.sentence_ids]
    texts = {i: row.text for i, row in index.store.sentences(ids).items()} if ids else {}
    case = case or getattr(result, "case", None) or DEFAULT_CASE
    # On Milvus the path names a side that holds a new build after every other publish: its build id says which.
    build = getattr(index, "build", None) or index.path.name
    return store.record_answer(result, build=build, case=case, sentence_texts=texts)


def _record(row) -> AnswerRecord:
    answer_id, question, case, answered, quotes, build, asked_at = row
    return AnswerRecord(answer_id, question, case, bool(answered),
                        tuple(QuotedPassage.from_json(q) for q in json.loads(quotes)), build, asked_at)


# -- export: votes → eval questions and a review list ------------------------------------------------------------
@dataclass
class Export:
    questions: list[dict] = field(default_factory=list)  # eval format, as tests/eval/score.py reads it
    review: list[dict] = field(default_factory=list)  # 👎 and disputed replies, with what was quoted


def question_id(case: str, question: str) -> str:
    """Stable across exports, so a re-export of the same question replaces rather than duplicates it."""
    return "fb-" + hashlib.sha1(f"{case}\x1f{_norm(question)}".encode()).hexdigest()[:10]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def verdict_of(record: AnswerRecord, votes: Iterable[Vote]) -> tuple[str, list[int]]:
    """("expect", confirmed quote numbers) | ("abstain", []) | ("review", []): what the votes on one reply say.

    Each voter counts once (their latest vote). The side with more voters wins; a tie, or a majority of 👎
    (which says the quote is wrong but not what is right), goes to an editor.
    """
    tally = Counter(v.verdict for v in votes)
    good = tally[GOOD]
    if record.answered:
        if tally[SHOULD_ABSTAIN] > good + tally[BAD]:
            return "abstain", []
        if good > tally[BAD] + tally[SHOULD_ABSTAIN]:
            counts = Counter(v.quote for v in votes if v.verdict == GOOD and v.quote is not None)
            return "expect", sorted(counts, key=lambda n: (-counts[n], n))
        return "review", []
    if good > tally[HAS_ANSWER]:
        return "abstain", []
    return "review", []


def export(voted: Iterable[tuple[AnswerRecord, list[Vote]]]) -> Export:
    """Eval questions from the replies whose voters agree, and a review list of the rest.

    One line per (case, question): 👍 quotes of every reply to it become its `expect_any` (the ranked sentence,
    verbatim, so a later answer quoting it with or without context still matches); confirmed abstentions become
    `"expect": "abstain"`. A question confirmed both ways goes to review instead.
    """
    expect: dict[tuple[str, str], dict] = {}
    review: dict[tuple[str, str], dict] = {}
    for record, votes in voted:
        key = (record.case, _norm(record.question))
        kind, confirmed = verdict_of(record, votes)
        if kind == "review":
            item = review.setdefault(key, {"id": question_id(record.case, record.question), "case": record.case,
                                           "question": record.question, "replies": []})
            item["replies"].append({
                "answer_id": record.answer_id, "answered": record.answered, "asked_at": record.asked_at,
                "build": record.build, "votes": dict(sorted(Counter(v.verdict for v in votes).items())),
                "quoted": [{"n": q.n, "text": q.text, "doc_id": q.doc_id, "paragraph": q.paragraph}
                           for q in record.quotes]})
            continue
        line = expect.setdefault(key, {"id": question_id(record.case, record.question), "case": record.case,
                                       "question": record.question})
        if kind == "abstain":
            line["expect"] = "abstain"
        else:
            gold = line.setdefault("expect_any", [])
            for n in confirmed:
                sentence = record.quotes[n - 1].sentence
                if sentence not in gold:
                    gold.append(sentence)
    out = Export()
    for key, line in expect.items():
        if "expect" in line and "expect_any" in line:  # confirmed as answered and as unanswerable
            review.setdefault(key, {"id": line["id"], "case": line["case"], "question": line["question"],
                                    "replies": [], "conflict": "confirmed both as answered and as unanswerable"})
            continue
        out.questions.append(line)
    out.review = list(review.values())
    return out


# -- stats -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionTally:
    case: str
    question: str
    votes: dict[str, int]  # verdict -> voters

    @property
    def against(self) -> int:
        return sum(self.votes.get(v, 0) for v in AGAINST)

    @property
    def net(self) -> int:
        """Votes against minus votes for: the worst question has the highest."""
        return self.against - self.votes.get(GOOD, 0)


@dataclass(frozen=True)
class FeedbackStats:
    replies: int  # replies with at least one vote
    votes: int
    by_verdict: dict[str, int]
    worst: tuple[QuestionTally, ...]


def stats(voted: Iterable[tuple[AnswerRecord, list[Vote]]], *, worst: int = 5) -> FeedbackStats:
    """Counts by verdict and the questions most voted against (at most `worst`, only those with a vote against)."""
    by_verdict: Counter = Counter()
    per_question: dict[tuple[str, str], tuple[str, Counter]] = {}
    replies = 0
    for record, votes in voted:
        replies += 1
        tally = Counter(v.verdict for v in votes)
        by_verdict.update(tally)
        per_question.setdefault((record.case, _norm(record.question)), (record.question, Counter()))[1].update(tally)
    tallies = [QuestionTally(case, question, dict(counts)) for (case, _), (question, counts) in per_question.items()]
    ranked = sorted((t for t in tallies if t.against), key=lambda t: (-t.net, -t.against, t.question))
    return FeedbackStats(replies, sum(by_verdict.values()), {v: by_verdict[v] for v in VERDICTS},
                         tuple(ranked[:worst]))


def describe_vote(verdict: str, quote: int | None) -> str:
    """A vote in words, for acknowledgements: "quote [2] is right", "should have said no answer"."""
    if verdict == GOOD and quote is not None:
        return f"quote [{quote}] is right"
    return {GOOD: "right to say there is no answer", BAD: "wrong quote", SHOULD_ABSTAIN: "should have said no answer",
            HAS_ANSWER: "there is an answer"}[verdict]


VERDICT_LABELS = {GOOD: "👍 right", BAD: "👎 wrong quote", SHOULD_ABSTAIN: "should have said no answer",
                  HAS_ANSWER: "there is an answer"}


def render_stats(s: FeedbackStats) -> str:
    """Plain text for the CLI, the console and the admin command."""
    if not s.votes:
        return "No feedback yet."
    lines = [f"{s.votes} vote(s) on {s.replies} repl{'y' if s.replies == 1 else 'ies'}: "
             + ", ".join(f"{VERDICT_LABELS[v]} {n}" for v, n in s.by_verdict.items())]
    if s.worst:
        lines.append("Most voted against:")
        for t in s.worst:
            against = ", ".join(f"{VERDICT_LABELS[v]} {n}" for v, n in t.votes.items() if v in AGAINST and n)
            case = f"[{t.case}] " if t.case != DEFAULT_CASE else ""
            lines.append(f"- {case}“{t.question}”: {against}; 👍 {t.votes.get(GOOD, 0)}")
    return "\n".join(lines)
