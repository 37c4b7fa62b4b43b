"""The sentence store: documents, paragraphs, sentences and their dates in one SQLite file per build."""
from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Iterable, Mapping, Sequence

from retrieval.fragments import link_to_quote
from retrieval.lexical import distinct_words
from retrieval.models import Citation, SourceInfo

STORE_NAME = "sentences.sqlite"

SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, url TEXT, published TEXT,
    author TEXT, path TEXT, fingerprint TEXT NOT NULL, modified TEXT
);
CREATE TABLE paragraphs (doc_id TEXT, paragraph INTEGER, text TEXT NOT NULL, PRIMARY KEY (doc_id, paragraph));
CREATE TABLE sentences (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, paragraph INTEGER NOT NULL, position INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, tokens TEXT NOT NULL
);
CREATE INDEX sentences_place ON sentences (doc_id, paragraph, position);
CREATE TABLE dates (
    sentence_id INTEGER NOT NULL, value TEXT NOT NULL, mod TEXT, date_text TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, until TEXT
);
CREATE INDEX dates_value ON dates (value);
CREATE INDEX dates_sentence ON dates (sentence_id);
CREATE TABLE document_words (
    doc_id TEXT PRIMARY KEY, words TEXT NOT NULL, lead TEXT NOT NULL, terms TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class DocumentRow:
    doc_id: str
    title: str
    source: str
    url: str | None
    published: str | None
    author: str | None
    path: str
    fingerprint: str
    modified: str | None = None  # YYYY-MM-DD the page says it was updated, when that differs from published

    def citation(self, paragraph: int, quote: str | None = None) -> Citation:
        """The citation of a paragraph; with `quote` (this article's own text), a link that opens at it."""
        link = link_to_quote(self.url, quote) if quote else None
        return Citation(self.doc_id, self.title, self.source, self.url, self.published, paragraph, link=link)


def date_not_before(value: str, until: str | None, day: str) -> bool:
    """Whether a tagged date (`value`, or a range's last value `until`: YYYY, YYYY-MM or YYYY-MM-DD) is not before
    `day` (YYYY-MM-DD), compared at the date's own precision: "2026-04" is not before 2026-04-20 (April is not
    over), "2025" is before 2026-01-05."""
    last = until or value
    return last >= day[:len(last)]


@dataclass(frozen=True)
class DateRow:
    value: str
    mod: str | None
    date_text: str
    start: int
    end: int
    until: str | None = None  # a range's last value (YYYY-MM or YYYY-MM-DD), None for a single date


@dataclass(frozen=True)
class SentenceRow:
    id: int
    doc_id: str
    paragraph: int
    position: int
    start: int
    end: int
    text: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class DocumentWords:
    """What a question reads of a whole article, written at reindex so that a question does not read and
    tokenize every sentence of each article it meets. Each sorted and distinct: `words`, the folded words of its
    title and sentences (retrieval.lexical.distinct_words: the article's soft support of a question); `lead` and
    `terms`, the stemmed tokens of the sentences of its first paragraph and of all of them (what the article is
    about: `SentenceStore.document_terms`)."""

    words: tuple[str, ...]
    lead: tuple[str, ...]
    terms: tuple[str, ...]

    @classmethod
    def of(cls, title: str, sentences: Sequence[SentenceRow]) -> "DocumentWords":
        """The definition, from the article's title and its sentences."""
        first = min((s.paragraph for s in sentences), default=None)
        return cls(tuple(sorted(distinct_words(" ".join([title, *(s.text for s in sentences)])))),
                   tuple(sorted({t for s in sentences if s.paragraph == first for t in s.tokens})),
                   tuple(sorted({t for s in sentences for t in s.tokens})))


@dataclass(frozen=True)
class DocumentBundle:
    """Everything a build stores for one document, so an unchanged article is copied, not reprocessed."""

    document: DocumentRow
    paragraphs: tuple[str, ...]
    sentences: tuple[SentenceRow, ...]  # ids are positions within this document
    dates: tuple[tuple[int, DateRow], ...]  # (sentence index within the document, date)
    words: DocumentWords | None = None  # as stored; None: made from the sentences when written

    def document_words(self) -> DocumentWords:
        return self.words or DocumentWords.of(self.document.title, self.sentences)


def write_store(path: Path, bundles: Iterable[DocumentBundle], *, base: Path | None = None,
                drop: Collection[str] = (), first_id: int = 0) -> int:
    """Write a store; sentence ids are assigned in order from `first_id` and are rows of the vector index.

    With `base`, the new store is a copy of that one without the documents in `drop`, plus `bundles`: the
    unchanged part of a large corpus is copied as pages, not rewritten row by row. Returns the next free id.
    """
    if base is not None:
        shutil.copyfile(base, path)
    db = sqlite3.connect(path)
    try:
        # A build is private until published, and publishing fsyncs every file: SQLite's own journal and syncs
        # would only add writes (an interrupted build is thrown away whole).
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        if base is None:
            db.executescript(SCHEMA)
        next_id = first_id
        with db:
            if drop:
                gone = [(d,) for d in drop]
                db.executemany("DELETE FROM dates WHERE sentence_id IN (SELECT id FROM sentences WHERE doc_id = ?)",
                               gone)
                for table in ("sentences", "paragraphs", "documents", "document_words"):
                    db.executemany(f"DELETE FROM {table} WHERE doc_id = ?", gone)
            for b in bundles:
                d = b.document
                db.execute(
                    "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
                    (d.doc_id, d.title, d.source, d.url, d.published, d.author, d.path, d.fingerprint, d.modified),
                )
                db.executemany(
                    "INSERT INTO paragraphs VALUES (?,?,?)",
                    ((d.doc_id, i, text) for i, text in enumerate(b.paragraphs, start=1)),
                )
                db.executemany(
                    "INSERT INTO sentences VALUES (?,?,?,?,?,?,?,?)",
                    ((next_id + i, d.doc_id, s.paragraph, s.position, s.start, s.end, s.text, " ".join(s.tokens))
                     for i, s in enumerate(b.sentences)),
                )
                db.executemany(
                    "INSERT INTO dates VALUES (?,?,?,?,?,?,?)",
                    ((next_id + i, r.value, r.mod, r.date_text, r.start, r.end, r.until) for i, r in b.dates),
                )
                w = b.document_words()
                db.execute("INSERT INTO document_words VALUES (?,?,?,?)",
                           (d.doc_id, " ".join(w.words), " ".join(w.lead), " ".join(w.terms)))
                next_id += len(b.sentences)
        return next_id
    finally:
        db.close()


def _sentence(row: Sequence) -> SentenceRow:
    return SentenceRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], tuple(row[7].split()))


def _document_words(row: Sequence) -> DocumentWords:
    return DocumentWords(tuple(row[1].split()), tuple(row[2].split()), tuple(row[3].split()))


class SentenceStore:
    """Read side of a build's store; safe to share between threads for reading."""

    def __init__(self, path: Path):
        uri = f"file:{path}?mode=ro"
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        # doc_id -> (tokens of the first paragraph, tokens of every sentence); a build never changes once open.
        self._doc_terms: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._doc_term_text: dict[str, tuple[str, str]] = {}
        self.documents: dict[str, DocumentRow] = {
            r[0]: DocumentRow(*r) for r in self._db.execute(
                "SELECT doc_id, title, source, url, published, author, path, fingerprint, modified FROM documents")
        }

    def close(self) -> None:
        self._db.close()

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM sentences").fetchone()[0]

    def sentences(self, ids: Sequence[int]) -> dict[int, SentenceRow]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            f'SELECT id, doc_id, paragraph, position, start, "end", text, tokens FROM sentences WHERE id IN ({marks})',
            [int(i) for i in ids],
        )
        return {r[0]: _sentence(r) for r in rows}

    def _date_rows(self, ids: Sequence[int]) -> list[tuple[int, int, int, str, str | None]]:
        """(sentence id, start, end, value, until) of the sentences' temporal expressions, each sentence's in order."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self._db.execute(
            f'SELECT sentence_id, start, "end", value, until FROM dates WHERE sentence_id IN ({marks}) ORDER BY start',
            [int(i) for i in ids],
        ).fetchall()

    def date_spans(self, ids: Sequence[int], *,
                   not_before: Mapping[int, str] | None = None) -> dict[int, list[tuple[int, int]]]:
        """sentence id -> the character spans of its temporal expressions, in order. With `not_before` (sentence
        id -> a day, YYYY-MM-DD), only the dates of those sentences that are not before that day
        (`date_not_before`); a sentence not in it keeps all its dates."""
        out: dict[int, list[tuple[int, int]]] = {}
        for sid, start, end, value, until in self._date_rows(ids):
            if not_before is None or sid not in not_before or date_not_before(value, until, not_before[sid]):
                out.setdefault(sid, []).append((start, end))
        return out

    def date_values(self, ids: Sequence[int]) -> dict[int, list[tuple[str, str | None]]]:
        """sentence id -> the (value, until) of its temporal expressions, in order (`DateRow`); a sentence without
        dates is absent."""
        out: dict[int, list[tuple[str, str | None]]] = {}
        for sid, _, _, value, until in self._date_rows(ids):
            out.setdefault(sid, []).append((value, until))
        return out

    def document_date_values(self, doc_ids: Collection[str]) -> dict[str, list[tuple[str, str | None]]]:
        """doc_id -> the (value, until) of every temporal expression of its sentences; an article without dates
        is absent."""
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        out: dict[str, list[tuple[str, str | None]]] = {}
        for doc_id, value, until in self._db.execute(
            f"SELECT s.doc_id, d.value, d.until FROM dates d JOIN sentences s ON s.id = d.sentence_id "
            f"WHERE s.doc_id IN ({marks})", list(doc_ids),
        ):
            out.setdefault(doc_id, []).append((value, until))
        return out

    def document_words(self, doc_ids: Collection[str]) -> dict[str, DocumentWords]:
        """doc_id -> its `DocumentWords` as the reindex wrote them."""
        return {r[0]: _document_words(r) for r in self._select("doc_id, words, lead, terms", doc_ids)}

    def article_words(self, doc_ids: Collection[str]) -> dict[str, list[str]]:
        """doc_id -> `DocumentWords.words`, one read for all of them."""
        return {d: words.split() for d, words in self._select("doc_id, words", doc_ids)}

    def document_terms(self, doc_ids: Collection[str]) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        """doc_id -> (stemmed tokens of its first paragraph, of all its sentences), for what an article is about
        (`DocumentWords.lead` and `.terms`, kept as sets: a build never changes once open)."""
        missing = [d for d in set(doc_ids) if d not in self._doc_terms]
        for d, lead, terms in self._select("doc_id, lead, terms", missing):
            self._doc_terms[d] = (frozenset(lead.split()), frozenset(terms.split()))
        return {d: self._doc_terms[d] for d in doc_ids if d in self._doc_terms}

    def document_term_text(self, doc_ids: Collection[str]) -> dict[str, tuple[str, str]]:
        """doc_id -> `document_terms` as the stored text, each a space-separated token string with a space at
        either end: token t is in the set when " t " is in the text. A question checks a few tokens against each
        of ~50 articles; splitting an article's ~150 tokens into a set costs more than those checks (kept per
        build, as the sets are)."""
        missing = [d for d in dict.fromkeys(doc_ids) if d not in self._doc_term_text]
        for d, lead, terms in self._select("doc_id, lead, terms", missing):
            self._doc_term_text[d] = (f" {lead} ", f" {terms} ")
        return {d: self._doc_term_text[d] for d in doc_ids if d in self._doc_term_text}

    def _select(self, columns: str, doc_ids: Collection[str]) -> list[tuple]:
        wanted = list(dict.fromkeys(doc_ids))
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        return self._db.execute(f"SELECT {columns} FROM document_words WHERE doc_id IN ({marks})", wanted).fetchall()

    def paragraphs(self, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]:
        out: dict[tuple[str, int], str] = {}
        for doc_id, para in set(keys):
            row = self._db.execute(
                "SELECT text FROM paragraphs WHERE doc_id = ? AND paragraph = ?", (doc_id, para)
            ).fetchone()
            if row:
                out[(doc_id, para)] = row[0]
        return out

    def paragraph_sentences(self, doc_id: str, paragraph: int) -> list[SentenceRow]:
        rows = self._db.execute(
            'SELECT id, doc_id, paragraph, position, start, "end", text, tokens FROM sentences '
            "WHERE doc_id = ? AND paragraph = ? ORDER BY position",
            (doc_id, paragraph),
        )
        return [_sentence(r) for r in rows]

    def sources(self) -> list[SourceInfo]:
        counts = dict(self._db.execute("SELECT doc_id, count(*) FROM sentences GROUP BY doc_id"))
        docs = sorted(self.documents.values(), key=lambda d: (d.published or "", d.source, d.title), reverse=True)
        return [SourceInfo(d.doc_id, d.title, d.source, d.url, d.published, d.author, counts.get(d.doc_id, 0),
                           d.modified) for d in docs]

    def dated_sentences(self) -> list[tuple[SentenceRow, DateRow]]:
        rows = self._db.execute(
            'SELECT s.id, s.doc_id, s.paragraph, s.position, s.start, s."end", s.text, s.tokens, '
            'd.value, d.mod, d.date_text, d.start, d."end", d.until FROM dates d JOIN sentences s ON s.id = d.sentence_id '
            # Document order, not id order: ids depend on when an article was indexed, the timeline must not.
            "ORDER BY d.value, s.doc_id, s.paragraph, s.position, d.start"
        )
        return [(_sentence(r[:8]), DateRow(*r[8:])) for r in rows]

    def id_ranges(self) -> dict[str, tuple[int, int]]:
        """doc_id -> (first sentence id, number of sentences); a document's ids are consecutive."""
        return {d: (first, n) for d, first, n in
                self._db.execute("SELECT doc_id, min(id), count(*) FROM sentences GROUP BY doc_id")}

    def document_sentences(self, doc_id: str) -> list[str]:
        """The texts of a document's sentences, in order."""
        return [r[0] for r in self._db.execute(
            "SELECT text FROM sentences WHERE doc_id = ? ORDER BY paragraph, position", (doc_id,))]

    def id_ranges_of(self, doc_ids: Collection[str]) -> dict[str, tuple[int, int]]:
        """As `id_ranges`, for these documents only (read through the index on doc_id)."""
        wanted = list(set(doc_ids))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        return {d: (first, n) for d, first, n in self._db.execute(
            f"SELECT doc_id, min(id), count(*) FROM sentences WHERE doc_id IN ({marks}) GROUP BY doc_id", wanted)}

    def live_ids(self) -> list[int]:
        return [r[0] for r in self._db.execute("SELECT id FROM sentences ORDER BY id")]

    def bundles(self, only: Collection[str] | None = None) -> dict[str, DocumentBundle]:
        """Documents as stored (all, or those in `only`), keyed by id, for reuse by the next build."""
        wanted = set(self.documents) if only is None else set(only) & set(self.documents)
        paras: dict[str, list[str]] = {}
        for doc_id, _, text in self._db.execute("SELECT doc_id, paragraph, text FROM paragraphs ORDER BY doc_id, paragraph"):
            if doc_id in wanted:
                paras.setdefault(doc_id, []).append(text)
        sents: dict[str, list[SentenceRow]] = {}
        first_id: dict[str, int] = {}
        for r in self._db.execute(
            'SELECT id, doc_id, paragraph, position, start, "end", text, tokens FROM sentences ORDER BY id'
        ):
            if r[1] in wanted:
                first_id.setdefault(r[1], r[0])
                sents.setdefault(r[1], []).append(_sentence(r))
        dates: dict[str, list[tuple[int, DateRow]]] = {}
        for r in self._db.execute(
            'SELECT s.doc_id, d.sentence_id, d.value, d.mod, d.date_text, d.start, d."end", d.until '
            "FROM dates d JOIN sentences s ON s.id = d.sentence_id ORDER BY d.rowid"
        ):
            if r[0] in wanted:
                dates.setdefault(r[0], []).append((r[1] - first_id[r[0]], DateRow(*r[2:])))
        # Read whole, as the tables above: a compaction may want every document.
        words = {r[0]: _document_words(r) for r in self._db.execute(
            "SELECT doc_id, words, lead, terms FROM document_words") if r[0] in wanted}
        return {
            doc_id: DocumentBundle(self.documents[doc_id], tuple(paras.get(doc_id, ())), tuple(sents.get(doc_id, ())),
                                   tuple(dates.get(doc_id, ())), words.get(doc_id))
            for doc_id in sorted(wanted)
        }
