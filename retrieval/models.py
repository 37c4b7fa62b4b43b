"""Typed data that crosses module borders: articles, sentences, citations, answers, summaries."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass(frozen=True)
class Article:
    """One article as read from the corpus: metadata and its paragraphs, text untouched."""

    doc_id: str
    title: str
    source: str
    url: str | None
    published: date | None
    paragraphs: tuple[str, ...]
    author: str | None = None
    path: str = ""
    modified: date | None = None  # when the page says it was updated, if that differs from `published`

    @property
    def fingerprint_text(self) -> str:
        meta = f"{self.title}\x1f{self.source}\x1f{self.url}\x1f{self.published}\x1f{self.author}"
        if self.modified is not None:  # absent, the fingerprint stays what it was
            meta += f"\x1f{self.modified}"
        return meta + "\x1e" + "\x1e".join(self.paragraphs)


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True)
class Sentence:
    """A sentence exactly as it stands in its article, with where it stands."""

    doc_id: str
    paragraph: int  # 1-based paragraph number in the article
    position: int  # 0-based sentence number within the paragraph
    text: str


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    source: str
    url: str | None
    published: str | None  # YYYY-MM-DD
    paragraph: int
    # The URL with a text fragment that opens the article at the quote (retrieval.fragments); None without URL.
    link: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """A quoted passage: one sentence, or a sentence with the neighbour it leans on, verbatim."""

    text: str
    score: float
    citation: Citation
    also: tuple[Citation, ...] = ()  # the same text published by other outlets
    # Store ids of the sentences the text spans, in order; the last is the one that was ranked (the rest lead
    # up to it). Kept out of the JSON: ids are internal to one build.
    sentence_ids: tuple[int, ...] = ()

    def to_json(self) -> dict:
        out = {"text": self.text, "score": round(self.score, 4), "citation": self.citation.to_json()}
        if self.also:
            out["also"] = [c.to_json() for c in self.also]
        return out


# Shown above the quotes of an answer that is not `sure` (CLI, console and Discord say the same).
NOT_SURE_NOTE = ("Not sure this answers the question: check the first quote against its source before using it.")


@dataclass(frozen=True)
class AnswerResult:
    question: str
    answered: bool
    answers: tuple[Answer, ...]
    latency_ms: float = 0.0
    reason: str | None = None  # why nothing was answered, for people
    # The abstention model's probability that the corpus answers the question (0–1; None: not computed).
    confidence: float | None = None
    # False when casebot answers but is not sure the first quote answers the question (below the fitted
    # threshold of the cautious answer mode): shown with a "check the source" note.
    sure: bool = True

    def to_json(self) -> dict:
        out = {
            "question": self.question,
            "answered": self.answered,
            "answers": [a.to_json() for a in self.answers],
            "latency_ms": round(self.latency_ms, 2),
        }
        if self.answered:
            out["sure"] = self.sure
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 4)
        return out


@dataclass(frozen=True)
class SourceInfo:
    doc_id: str
    title: str
    source: str
    url: str | None
    published: str | None
    author: str | None
    sentences: int
    modified: str | None = None  # YYYY-MM-DD: the page also says it was updated then (differs from published)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TimelineEvent:
    date: str  # YYYY | YYYY-MM | YYYY-MM-DD
    mod: str | None
    date_text: str
    text: str
    citation: Citation
    also: tuple[Citation, ...] = ()
    end: str | None = None  # a range's last day or month ("May 11-15, 2026": date 2026-05-11, end 2026-05-15)

    def to_json(self) -> dict:
        return {
            "date": self.date,
            "end": self.end,
            "mod": self.mod,
            "date_text": self.date_text,
            "text": self.text,
            "citation": self.citation.to_json(),
            "also": [c.to_json() for c in self.also],
        }


@dataclass
class ReindexSummary:
    documents: int = 0
    sentences: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    embedded: int = 0  # sentences that had to go through the model (cache misses)
    seconds: float = 0.0
    rebuilt: bool = True  # False when the corpus had not changed and the index was kept

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "sentences": self.sentences,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "embedded": self.embedded,
            "seconds": round(self.seconds, 2),
            "rebuilt": self.rebuilt,
        }
