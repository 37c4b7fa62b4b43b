"""The index in service kept in Milvus (CASEBOT_INDEX_BACKEND=milvus): several bot processes, one index.

Two sides per case, `<prefix>__blue` and `<prefix>__green`, each three collections:
- sentences: id (the side's own row id), the dense vector (inner product), casebot's own BM25 tokens as text with
  Milvus' built-in BM25 function writing a sparse field, the sentence text, document id, paragraph, position,
  offsets, and its dates (JSON);
- docs (+ DOCS_SUFFIX): the manifest with the build held, one row per document (metadata, fingerprint, sentence
  count, first row id) and the paragraph texts (Milvus needs a vector field in every collection: these rows
  carry a constant 2-d one);
- terms (+ TERMS_SUFFIX): each BM25 term's document frequency, keyed by the term, and the side's stamp.

The alias `<prefix>` names the side in service. A reindex runs the local pipeline as before (scan, split, the
embedding cache: only new text is embedded); then `publish` brings the side out of service (one build behind) to
the new build by deleting and inserting only the changed documents' rows, checks it and moves the alias (Milvus'
documented way to swap a collection under readers), so a reader never sees a half-written case and the side left
keeps the build before for questions already running on it. Every process checks the alias and the side's stamp
(STAMP, rewritten by each completed update) on each question and follows a publish made by another.

A question reads sentences by primary key only (a document's rows are its id range, first_id + sentences) and the
documents collection at most once: on Milvus Lite every filter scans the whole collection.

The readers below give the engine what it reads from a local build, with the same shapes (`store`, `vectors`,
`lexical` of CaseIndex), so ranking, abstention, timeline and Discord are unchanged.
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from dataclasses import asdict, dataclass, field
from collections import Counter, OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping, Sequence

import numpy as np

from retrieval.lexical import B, K1
from retrieval.manifest import FORMAT_VERSION, IndexProblem, Manifest
from retrieval.models import SourceInfo
from retrieval.store import DateRow, DocumentRow, SentenceRow, date_not_before

log = logging.getLogger(__name__)

DOCS_SUFFIX = "_docs"
TERMS_SUFFIX = "_terms"
PART_CHARS = 16_000  # a paragraph is stored in parts of this many characters (VARCHAR holds 65,535 bytes)
INSERT_BATCH = 2_000
SIDES = ("blue", "green")
# Candidates Milvus' BM25 hands over for rescoring (MilvusLexical.top), five times the engine's 40
# (retrieval/search.py LEXICAL_DEPTH): Milvus ranks them with per-segment statistics, close to the exact ones.
BM25_HITS = 200
_OUT = ["id", "doc_id", "paragraph", "position", "start", "end", "text", "tokens"]
QUERY_IDS = 4_000  # ids per query: Milvus caps a query's result at 16,384 rows
# The terms collection's row holding a side's stamp (a random number written by each update that completes), so a
# reader checks the build it holds with one primary-key read; no BM25 term has a space.
STAMP = " stamp"
DOC_CACHE = 2_048  # documents whose sentences (and paragraphs) a store keeps read, most recently used


def _by_ids(client, name: str, ids: Sequence[int], fields: list[str]) -> list[dict]:
    """Rows of these ids (any order), in queries of QUERY_IDS ids."""
    unique = sorted({int(i) for i in ids})
    out: list[dict] = []
    for at in range(0, len(unique), QUERY_IDS):
        out.extend(client.query(name, ids=unique[at:at + QUERY_IDS], output_fields=fields))
    return out


def connect(uri: str, token: str | None = None):
    """A MilvusClient; `uri` a file path (Milvus Lite, in-process) or http(s)://host:port. Raises IndexProblem
    naming CASEBOT_MILVUS_URI (never the token) when it cannot connect."""
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise IndexProblem("CASEBOT_INDEX_BACKEND=milvus needs pymilvus (and milvus-lite for a file URI): "
                           "pip install '.[milvus]' (or '.[milvus-lite]')") from None
    if "://" not in uri:
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
        # Milvus Lite serves in-process; its server logs each call it does not implement (pymilvus asks for a
        # timestamp while waiting on an index) as an error, though the call falls back and succeeds.
        logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
        # and pymilvus warns, for each timeline, that Lite gives no server timestamp to iterate at.
        logging.getLogger("pymilvus").setLevel(logging.ERROR)
    try:
        return MilvusClient(uri=uri, token=token or "")
    except Exception as exc:  # noqa: BLE001 - any connection failure is the same problem for the user
        raise IndexProblem(f"cannot reach Milvus at CASEBOT_MILVUS_URI ({type(exc).__name__}); check the URI, "
                           "the server and CASEBOT_MILVUS_TOKEN") from None


def _q(value: str) -> str:
    """A string literal for a Milvus filter expression."""
    return json.dumps(value, ensure_ascii=False)


def side_collection(prefix: str, side: str) -> str:
    """The sentences collection of one side (SIDES) of the alias `prefix`; its documents are in + DOCS_SUFFIX."""
    return f"{prefix}__{side}"


# -- writing ---------------------------------------------------------------------------------------------------
def _sentence_schema(client, dim: int):
    from pymilvus import DataType, Function, FunctionType

    s = client.create_schema(auto_id=False)
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("vec", DataType.FLOAT_VECTOR, dim=dim)
    # casebot's tokens (stemmed, stop words out) joined by spaces: Milvus' standard analyzer splits them back
    # unchanged, so its BM25 sees exactly the terms the local index sees.
    s.add_field("tokens", DataType.VARCHAR, max_length=65_535, enable_analyzer=True,
                analyzer_params={"tokenizer": "standard"})
    s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    s.add_field("text", DataType.VARCHAR, max_length=65_535)
    s.add_field("doc_id", DataType.VARCHAR, max_length=1_024)
    for name in ("paragraph", "position", "start", "end"):
        s.add_field(name, DataType.INT64)
    s.add_field("dated", DataType.BOOL)
    s.add_field("dates", DataType.JSON)
    s.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["tokens"],
                            output_field_names=["sparse"]))
    ip = client.prepare_index_params()
    ip.add_index("vec", index_type="AUTOINDEX", metric_type="IP")
    ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                 params={"bm25_k1": K1, "bm25_b": B})
    return s, ip


def _docs_schema(client):
    from pymilvus import DataType

    s = client.create_schema(auto_id=True)
    s.add_field("pk", DataType.INT64, is_primary=True)
    s.add_field("kind", DataType.VARCHAR, max_length=16)  # manifest | document | paragraph
    s.add_field("doc_id", DataType.VARCHAR, max_length=1_024)
    s.add_field("paragraph", DataType.INT64)
    s.add_field("part", DataType.INT64)
    s.add_field("text", DataType.VARCHAR, max_length=65_535)
    s.add_field("meta", DataType.JSON)
    s.add_field("v", DataType.FLOAT_VECTOR, dim=2)
    ip = client.prepare_index_params()
    ip.add_index("v", index_type="AUTOINDEX", metric_type="L2")
    return s, ip


def _terms_schema(client):
    """Document frequency of each BM25 term (the df of idf), by term: one primary-key lookup a question term."""
    from pymilvus import DataType

    s = client.create_schema(auto_id=False)
    s.add_field("term", DataType.VARCHAR, max_length=1_024, is_primary=True)
    s.add_field("df", DataType.INT64)
    s.add_field("v", DataType.FLOAT_VECTOR, dim=2)
    ip = client.prepare_index_params()
    ip.add_index("v", index_type="AUTOINDEX", metric_type="L2")
    return s, ip


def _batches(rows: Iterable[dict], size: int = INSERT_BATCH) -> Iterable[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def current_collection(client, prefix: str) -> str | None:
    """The collection the alias names, or None. Listed first: describing a missing alias logs an error."""
    if prefix not in client.list_aliases().get("aliases", []):
        return None
    try:
        return client.describe_alias(prefix)["collection_name"]
    except Exception:  # noqa: BLE001 - dropped between the two calls
        return None


@dataclass
class SyncStats:
    """What one publish wrote to Milvus: sentence rows inserted, documents whose rows were deleted (removed,
    changed or renumbered), and whether a side had to be rewritten whole (new, another dimension, or found
    inconsistent after a crash)."""

    inserted: int = 0
    deleted_docs: list[str] = field(default_factory=list)
    rewritten: bool = False


def _load(client, name: str) -> None:
    from pymilvus.client.types import LoadState

    if client.get_load_state(name).get("state") != LoadState.Loaded:
        client.load_collection(name)


def _scan(client, name: str, filter: str, fields: list[str]) -> list[dict]:
    """Every row matching `filter` (a query returns at most 16,384: iterate)."""
    out: list[dict] = []
    it = client.query_iterator(name, batch_size=4_000, filter=filter, output_fields=fields)
    try:
        while batch := it.next():
            out.extend(batch)
    finally:
        it.close()
    return out


def _count(client, name: str, filter: str = "") -> int:
    rows = client.query(name, filter=filter, output_fields=["count(*)"])
    return int(rows[0]["count(*)"]) if rows else 0


def _manifest_row(client, name: str) -> dict | None:
    """The manifest a side holds, or None (never written, or a write to it began and did not finish)."""
    rows = client.query(name + DOCS_SUFFIX, filter='kind == "manifest"', output_fields=["meta"])
    return rows[0]["meta"] if len(rows) == 1 else None


def _create(client, name: str, dim: int) -> None:
    for coll in _parts(name):
        if client.has_collection(coll):
            client.drop_collection(coll)
    for coll, (schema, index_params) in ((name, _sentence_schema(client, dim)),
                                         (name + DOCS_SUFFIX, _docs_schema(client)),
                                         (name + TERMS_SUFFIX, _terms_schema(client))):
        client.create_collection(coll, schema=schema, index_params=index_params, consistency_level="Strong")


def _parts(name: str) -> tuple[str, str, str]:
    """A side's collections: sentences, documents, term frequencies."""
    return name, name + DOCS_SUFFIX, name + TERMS_SUFFIX


def _dim(client, name: str) -> int | None:
    for f in client.describe_collection(name)["fields"]:
        if f["name"] == "vec":
            return int(f["params"]["dim"])
    return None


def _held(client, name: str) -> dict[str, tuple[str, int, int]]:
    """doc_id -> (fingerprint, first row id, sentences) of the documents a side holds whole."""
    return {r["doc_id"]: (r["meta"]["fingerprint"], int(r["meta"]["first_id"]), int(r["meta"]["sentences"]))
            for r in _scan(client, name + DOCS_SUFFIX, 'kind == "document"', ["doc_id", "meta"])}


def _delete_docs(client, name: str, doc_ids: list[str]) -> None:
    # The document rows go first: a document row present means its sentences are whole (they are inserted
    # before it), so a publish that dies here leaves nothing a later one would keep by mistake.
    for at in range(0, len(doc_ids), 1_000):
        chunk = "[" + ", ".join(_q(d) for d in doc_ids[at:at + 1_000]) + "]"
        client.delete(name + DOCS_SUFFIX, filter=f'kind == "document" and doc_id in {chunk}')
        client.delete(name, filter=f"doc_id in {chunk}")
        client.delete(name + DOCS_SUFFIX, filter=f"doc_id in {chunk}")


def sync_side(client, name: str, build: Path, stats: SyncStats | None = None) -> SyncStats:
    """Bring the side `name` (out of service) to hold exactly the local build at `build`, writing only what
    differs: the rows of documents it holds that the build lacks or holds with another fingerprint are deleted,
    the build's documents it lacks are inserted, the document frequencies of the terms they hold are upserted.
    Counted before its manifest row, written last, says which build it holds; a side that does not add up is
    rewritten whole. Returns `stats`, added to. Raises what the client raises (the side stays unfinished)."""
    import faiss

    from retrieval.indexer import BM25_DIR, VECTORS_NAME
    from retrieval.lexical import LexicalIndex
    from retrieval.manifest import read_manifest
    from retrieval.store import STORE_NAME, SentenceStore

    stats = stats or SyncStats()
    manifest = read_manifest(build)
    if not all(client.has_collection(c) for c in _parts(name)) or _dim(client, name) != manifest.dim:
        _create(client, name, manifest.dim)
        stats.rewritten = True
    for coll in _parts(name):
        _load(client, coll)
    store = SentenceStore(build / STORE_NAME)
    try:
        wanted = {d: row.fingerprint for d, row in store.documents.items()}
        held = _held(client, name)
        # A document is kept on its fingerprint (its text, metadata and the pipeline's version): the local
        # build may have renumbered its sentences (a compaction), but the side's row ids are its own.
        keep = {d for d, (fp, _, _) in held.items() if wanted.get(d) == fp}
        add = sorted(set(wanted) - keep)
        gone = sorted(set(held) - keep)
        previous = _manifest_row(client, name) or {}
        # Terms whose document frequency may differ between the side's build and this one: those of the
        # documents leaving it and of those coming in (all of them on a side that did not finish its last update).
        touched = None if not previous else {
            t for at in range(0, len(gone), 1_000)
            for r in _scan(client, name, "doc_id in [" + ", ".join(_q(d) for d in gone[at:at + 1_000]) + "]",
                           ["tokens"])
            for t in r["tokens"].split()}
        next_id = max([int(previous.get("next_id", 0))] + [first + n for _, first, n in held.values()])
        # Rows above it are a dead publish's: new rows go past them (a repeated id is a second row in Milvus),
        # and the count below then finds them.
        next_id = max([next_id - 1] + [int(r["id"]) for r in _scan(client, name, f"id >= {next_id}", ["id"])]) + 1
        # Marked unfinished before anything else changes.
        client.delete(name + DOCS_SUFFIX, filter='kind == "manifest"')
        # Rows of `add` documents held without a document row (a publish that died) go too.
        _delete_docs(client, name, sorted(set(gone) | set(add)))
        stats.deleted_docs += gone
        bundles = store.bundles(add)
    finally:
        store.close()
    vectors = faiss.read_index(str(build / VECTORS_NAME))

    firsts: dict[str, int] = {}
    for doc_id, bundle in bundles.items():
        firsts[doc_id] = next_id
        next_id += len(bundle.sentences)

    def sentence_rows():
        for doc_id, bundle in bundles.items():
            local = np.array([s.id for s in bundle.sentences], dtype=np.int64)
            vecs = vectors.reconstruct_batch(local) if len(local) else np.zeros((0, manifest.dim), np.float32)
            dates: dict[int, list] = {}
            for idx, d in bundle.dates:
                dates.setdefault(idx, []).append([d.value, d.mod, d.date_text, d.start, d.end, d.until])
            for idx, (s, v) in enumerate(zip(bundle.sentences, vecs)):
                yield {"id": firsts[doc_id] + idx, "vec": v.tolist(), "tokens": " ".join(s.tokens), "text": s.text,
                       "doc_id": s.doc_id, "paragraph": s.paragraph, "position": s.position, "start": s.start,
                       "end": s.end, "dated": idx in dates, "dates": dates.get(idx, [])}

    def paragraph_rows():
        for bundle in bundles.values():
            for p_num, text in enumerate(bundle.paragraphs, start=1):
                for part, at in enumerate(range(0, max(len(text), 1), PART_CHARS)):
                    yield {"kind": "paragraph", "doc_id": bundle.document.doc_id, "paragraph": p_num, "part": part,
                           "text": text[at:at + PART_CHARS], "meta": {}, "v": [0.0, 0.0]}

    def document_rows():
        for bundle in bundles.values():
            d = bundle.document
            yield {"kind": "document", "doc_id": d.doc_id, "paragraph": 0, "part": 0, "text": "",
                   "meta": {**asdict(d), "sentences": len(bundle.sentences), "first_id": firsts[d.doc_id]},
                   "v": [0.0, 0.0]}

    for batch in _batches(sentence_rows()):
        client.insert(name, batch)
        stats.inserted += len(batch)
    for batch in _batches(paragraph_rows()):
        client.insert(name + DOCS_SUFFIX, batch)
    for batch in _batches(document_rows()):
        client.insert(name + DOCS_SUFFIX, batch)
    lexical = LexicalIndex.load(build / BM25_DIR)
    if touched is None:
        touched = set(lexical.vocab)
    else:
        touched |= {t for b in bundles.values() for s in b.sentences for t in s.tokens}
    # Upserted with 0 when a term leaves the case (as the local vocabulary keeps it, with no postings).
    for batch in _batches({"term": t, "df": lexical.doc_freq(t), "v": [0.0, 0.0]} for t in sorted(touched)):
        client.upsert(name + TERMS_SUFFIX, batch)
    for coll in _parts(name):
        client.flush(coll)
    if _count(client, name) != manifest.sentences or \
            _count(client, name + DOCS_SUFFIX, 'kind == "document"') != manifest.documents:
        if stats.rewritten:
            raise IndexProblem(f"Milvus collection {name} does not hold what was written to it")
        # Rows no document row accounts for (a publish that died between its deletes and inserts of a
        # document since removed): start this side again.
        log.warning("Milvus collection %s did not add up after its update; rewriting it whole", name)
        _create(client, name, manifest.dim)
        stats.rewritten = True
        return sync_side(client, name, build, stats)
    client.upsert(name + TERMS_SUFFIX, [{"term": STAMP, "df": secrets.randbits(62), "v": [0.0, 0.0]}])
    client.flush(name + TERMS_SUFFIX)
    meta = {**json.loads(manifest.model_dump_json(exclude={"files", "corpus_states"})), "build": build.name,
            "avgdl": lexical.avgdl, "next_id": next_id}
    client.insert(name + DOCS_SUFFIX, [{"kind": "manifest", "doc_id": "", "paragraph": 0, "part": 0, "text": "",
                                        "meta": meta, "v": [0.0, 0.0]}])
    client.flush(name + DOCS_SUFFIX)
    return stats


def built(client, name: str) -> str | None:
    """The local build name the side `name` holds whole, or None."""
    meta = _manifest_row(client, name)
    return meta.get("build") if meta else None


def side_stamp(client, name: str) -> int | None:
    """The stamp of the side `name` (changed by every update of it that completes), or None (a side written
    before stamps were, or not finished)."""
    rows = client.query(name + TERMS_SUFFIX, ids=[STAMP], output_fields=["df"])
    return int(rows[0]["df"]) if rows else None


def publish(client, prefix: str, build: Path) -> tuple[str, SyncStats]:
    """Put the local build at `build` in service under the alias `prefix`; returns (the sentences collection now
    in service, what was written). Already in service: nothing is written.

    Two sides per alias (`<prefix>__blue`, `<prefix>__green`, each with its `_docs`): the one out of service, one
    build behind, is brought to this build by `sync_side` (only the changed documents' rows), checked, then the
    alias moves to it (Milvus' documented way to swap a collection under readers). A publish that dies leaves
    the alias where it was and the side it was writing marked unfinished; the next one completes it."""
    previous = current_collection(client, prefix)
    sides = [side_collection(prefix, s) for s in SIDES]
    if previous is not None:
        _load(client, previous + DOCS_SUFFIX)
        if built(client, previous) == build.name:
            return previous, SyncStats()
    target = sides[1] if previous == sides[0] else sides[0]
    stats = sync_side(client, target, build)
    if previous is None:
        client.create_alias(target, prefix)
    else:
        client.alter_alias(target, prefix)
    other = sides[1] if target == sides[0] else sides[0]
    if previous != other:
        # A first publish (or one from the older one-collection-per-build layout): nobody reads the other side,
        # so it is filled now and every later publish writes only the change.
        sync_side(client, other, build)
    # Collections of the older layout (`<prefix>_b<build>`) once the alias has left them.
    legacy = re.compile(re.escape(prefix) + r"_b[0-9_]+$")
    for coll in client.list_collections():
        base = coll[:-len(DOCS_SUFFIX)] if coll.endswith(DOCS_SUFFIX) else coll
        if legacy.fullmatch(base):
            client.drop_collection(coll)
    log.info("published %s to Milvus %s: %d sentence rows inserted, %d documents' rows deleted%s", build.name,
             target, stats.inserted, len(stats.deleted_docs), " (rewritten whole)" if stats.rewritten else "")
    return target, stats


# -- reading ---------------------------------------------------------------------------------------------------
def _row(r: dict) -> SentenceRow:
    return SentenceRow(int(r["id"]), r["doc_id"], int(r["paragraph"]), int(r["position"]), int(r["start"]),
                       int(r["end"]), r["text"], tuple(r["tokens"].split()))


@dataclass(eq=False)  # identity: the ranker keys caches by index parts (weakly)
class MilvusStore:
    """The read side of SentenceStore, from the collections in service."""

    client: Any
    name: str
    documents: dict[str, DocumentRow]
    counts: dict[str, int]
    total: int
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # doc_id -> (first row id, sentences)
    # Per-build reads shared by the questions of this process (a build never changes under an open store).
    _rows: "OrderedDict[str, list[SentenceRow]]" = field(default_factory=OrderedDict, repr=False)
    _paras: "OrderedDict[str, dict[int, str]]" = field(default_factory=OrderedDict, repr=False)
    _doc_terms: dict = field(default_factory=dict, repr=False)
    _recent: set = field(default_factory=set, repr=False)  # the latest question's candidate documents
    _lock: Any = field(default_factory=threading.Lock, repr=False)

    def close(self) -> None:
        """Nothing to close: the client is shared."""

    def count(self) -> int:
        return self.total

    def sentences(self, ids: Sequence[int]) -> dict[int, SentenceRow]:
        if not len(ids):
            return {}
        return {int(r["id"]): _row(r) for r in _by_ids(self.client, self.name, ids, _OUT)}

    def _date_rows(self, ids: Sequence[int]) -> dict[int, list[tuple[int, int, str, str | None]]]:
        """sentence id -> (start, end, value, until) of its temporal expressions, in order; a sentence without
        dates is absent. Rows written before ranges were stored have no `until`."""
        if not len(ids):
            return {}
        out: dict[int, list[tuple[int, int, str, str | None]]] = {}
        for r in _by_ids(self.client, self.name, ids, ["id", "dates"]):
            found = sorted((int(d[3]), int(d[4]), d[0], d[5] if len(d) > 5 else None) for d in r["dates"])
            if found:
                out[int(r["id"])] = found
        return out

    def date_spans(self, ids: Sequence[int], *,
                   not_before: Mapping[int, str] | None = None) -> dict[int, list[tuple[int, int]]]:
        """As `SentenceStore.date_spans`."""
        out: dict[int, list[tuple[int, int]]] = {}
        for sid, rows in self._date_rows(ids).items():
            day = None if not_before is None else not_before.get(sid)
            spans = [(start, end) for start, end, value, until in rows
                     if day is None or date_not_before(value, until, day)]
            if spans:
                out[sid] = spans
        return out

    def date_values(self, ids: Sequence[int]) -> dict[int, list[tuple[str, str | None]]]:
        """As `SentenceStore.date_values`."""
        return {sid: [(value, until) for _, _, value, until in rows] for sid, rows in self._date_rows(ids).items()}

    def document_date_values(self, doc_ids: Collection[str]) -> dict[str, list[tuple[str, str | None]]]:
        """As `SentenceStore.document_date_values`: the article's ids are its range (see `_doc_rows`)."""
        ranges = {d: self.ranges[d] for d in dict.fromkeys(doc_ids) if d in self.ranges}
        values = self.date_values([i for first, n in ranges.values() for i in range(first, first + n)])
        out: dict[str, list[tuple[str, str | None]]] = {}
        for d, (first, n) in ranges.items():
            found = [v for i in range(first, first + n) for v in values.get(i, [])]
            if found:
                out[d] = found
        return out

    def _doc_rows(self, doc_ids) -> dict[str, list[SentenceRow]]:
        """doc_id -> its sentence rows in document order, for the documents this side holds. Read by primary key
        (a document's rows are the ids first_id .. first_id + sentences - 1, see sync_side): one query for all
        the documents not cached, where a filter on doc_id would scan the whole collection (Milvus Lite)."""
        wanted = [d for d in dict.fromkeys(doc_ids) if d in self.ranges]
        with self._lock:
            have = {d: self._rows[d] for d in wanted if d in self._rows}
            for d in have:
                self._rows.move_to_end(d)
        missing = [d for d in wanted if d not in have]
        if missing:
            owner = {}
            for d in missing:
                first, n = self.ranges[d]
                owner.update(dict.fromkeys(range(first, first + n), d))
            fetched: dict[str, list[SentenceRow]] = {d: [] for d in missing}
            for r in _by_ids(self.client, self.name, list(owner), _OUT):
                fetched[owner[int(r["id"])]].append(_row(r))
            with self._lock:
                for d, rows in fetched.items():
                    have[d] = self._rows[d] = sorted(rows, key=lambda s: (s.paragraph, s.position))
                while len(self._rows) > DOC_CACHE:
                    self._rows.popitem(last=False)
        return have

    def paragraphs(self, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]:
        docs = {d for d, _ in keys}
        with self._lock:
            missing = docs - set(self._paras)
            # The other candidate articles of the latest question come along: its answers' passages then cost one
            # query together (each is a scan of the documents collection on Milvus Lite), not one per answer.
            along = (self._recent - set(self._paras)) if missing else set()
        if missing:
            fetch = sorted(missing | along)
            found: dict[str, dict[int, list[dict]]] = {d: {} for d in fetch}
            # 100 articles a query stay far below a query's 16,384 rows (a question brings ~40).
            for at in range(0, len(fetch), 100):
                chunk = "[" + ", ".join(_q(d) for d in fetch[at:at + 100]) + "]"
                for r in self.client.query(self.name + DOCS_SUFFIX, output_fields=["doc_id", "paragraph", "part",
                                           "text"], filter=f'kind == "paragraph" and doc_id in {chunk}'):
                    found[r["doc_id"]].setdefault(int(r["paragraph"]), []).append(r)
            with self._lock:
                for d, paras in found.items():
                    self._paras[d] = {p: "".join(r["text"] for r in sorted(rows, key=lambda r: r["part"]))
                                      for p, rows in paras.items()}
                while len(self._paras) > DOC_CACHE:
                    self._paras.popitem(last=False)
        out: dict[tuple[str, int], str] = {}
        with self._lock:
            for doc_id, para in set(keys):
                text = self._paras.get(doc_id, {}).get(int(para))
                if text is not None:
                    out[(doc_id, para)] = text
        return out

    def paragraph_sentences(self, doc_id: str, paragraph: int) -> list[SentenceRow]:
        rows = self._doc_rows([doc_id]).get(doc_id, [])
        return [r for r in rows if r.paragraph == int(paragraph)]

    def document_sentences(self, doc_id: str) -> list[str]:
        """The texts of a document's sentences, in order (as SentenceStore.document_sentences)."""
        return [r.text for r in self._doc_rows([doc_id]).get(doc_id, [])]

    def article_words(self, doc_ids) -> dict:
        """None of them: the collections keep no `DocumentWords` (SentenceStore.article_words), so the ask path
        makes an article's words from its sentences."""
        return {}

    def document_terms(self, doc_ids) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        """doc_id -> (tokens of its first paragraph, of all its sentences), as SentenceStore.document_terms."""
        doc_ids = list(doc_ids)
        with self._lock:
            self._recent = set(doc_ids)
            missing = [d for d in doc_ids if d not in self._doc_terms]
        for d, rows in self._doc_rows(missing).items():
            first = min((r.paragraph for r in rows), default=None)
            lead = frozenset(t for r in rows if r.paragraph == first for t in r.tokens)
            with self._lock:
                self._doc_terms[d] = (lead, frozenset(t for r in rows for t in r.tokens))
        return {d: self._doc_terms[d] for d in doc_ids if d in self._doc_terms}

    def sources(self) -> list[SourceInfo]:
        docs = sorted(self.documents.values(), key=lambda d: (d.published or "", d.source, d.title), reverse=True)
        return [SourceInfo(d.doc_id, d.title, d.source, d.url, d.published, d.author, self.counts.get(d.doc_id, 0))
                for d in docs]

    def dated_sentences(self) -> list[tuple[SentenceRow, DateRow]]:
        out = []
        it = self.client.query_iterator(self.name, batch_size=4_000, filter="dated == true",
                                        output_fields=_OUT + ["dates"])
        try:
            while True:
                batch = it.next()
                if not batch:
                    break
                for r in batch:
                    row = _row(r)
                    out.extend((row, DateRow(d[0], d[1], d[2], int(d[3]), int(d[4]), d[5] if len(d) > 5 else None))
                               for d in r["dates"])
        finally:
            it.close()
        # The local store's order: by date, then place in the corpus.
        out.sort(key=lambda x: (x[1].value, x[0].doc_id, x[0].paragraph, x[0].position, x[1].start))
        return out


@dataclass(eq=False)  # identity: the ranker keys caches by index parts (weakly)
class MilvusVectors:
    """What the engine asks of a FAISS index (`ntotal`, `d`, `search`, `reconstruct_batch`), from Milvus."""

    client: Any
    name: str
    ntotal: int
    d: int

    def search(self, x: np.ndarray, k: int, params=None) -> tuple[np.ndarray, np.ndarray]:
        hits = self.client.search(self.name, data=[np.asarray(x, dtype=np.float32)[0].tolist()], anns_field="vec",
                                  limit=int(k), search_params={"metric_type": "IP"}, output_fields=[])[0]
        scores = np.full((1, k), -np.inf, dtype=np.float32)
        ids = np.full((1, k), -1, dtype=np.int64)
        for i, h in enumerate(hits[:k]):
            scores[0, i], ids[0, i] = h["distance"], h["id"]
        return scores, ids

    def reconstruct_batch(self, ids: np.ndarray) -> np.ndarray:
        ids = [int(i) for i in np.asarray(ids).ravel()]
        if not ids:
            return np.zeros((0, self.d), dtype=np.float32)
        found = {int(r["id"]): r["vec"] for r in _by_ids(self.client, self.name, ids, ["id", "vec"])}
        return np.array([found[i] for i in ids], dtype=np.float32)


@dataclass(eq=False)  # identity: the ranker keys caches by index parts (weakly)
class MilvusLexical:
    """BM25 as the local index computes it (retrieval/lexical.py: same formula, idf, avgdl), from Milvus.

    Milvus' built-in BM25 (a sparse field over casebot's tokens) finds the candidates; their scores are then
    computed here from their stored tokens, the build's document frequencies (the side's terms collection) and avgdl,
    because Milvus keeps BM25 statistics per segment (Milvus Lite says so in its source; a server's segments
    differ too), so its own scores drift from the local ones as a case is updated."""

    client: Any
    name: str
    num_docs: int
    avgdl: float
    _df: dict[str, int] = field(default_factory=dict)

    def top(self, query_tokens: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the k best rows by BM25 (score > 0), best first; scores float32."""
        text = " ".join(query_tokens)
        if not text or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        hits = self.client.search(self.name, data=[text], anns_field="sparse", limit=max(k, BM25_HITS),
                                  search_params={"metric_type": "BM25"}, output_fields=["tokens"])[0]
        ids = np.array([int(h["id"]) for h in hits], dtype=np.int64)
        scores = self._score([h["entity"]["tokens"].split() for h in hits], query_tokens)
        order = np.lexsort((ids, -scores))[:k]
        order = order[scores[order] > 0]
        return ids[order], scores[order]

    def scores_of(self, query_tokens: list[str], ids: Sequence[int]) -> np.ndarray:
        """BM25 (float32) of these rows, in their order; 0 for a row without a query term."""
        if not len(ids):
            return np.zeros(0, dtype=np.float32)
        tokens = {int(r["id"]): r["tokens"].split() for r in _by_ids(self.client, self.name, ids, ["id", "tokens"])}
        return self._score([tokens.get(int(i), []) for i in ids], query_tokens)

    def _score(self, rows: list[list[str]], query_tokens: list[str]) -> np.ndarray:
        # The local index's arithmetic, term by term in float32, so equal inputs give equal scores.
        doc_len = np.array([len(r) for r in rows], dtype=np.float32)
        norm = K1 * (1 - B + B * doc_len / (self.avgdl or 1.0))
        out = np.zeros(len(rows), dtype=np.float32)
        counts = [Counter(r) for r in rows]
        for t in query_tokens:
            if not self.knows(t):
                continue
            tf = np.array([c.get(t, 0) for c in counts], dtype=np.float32)
            hit = tf > 0
            out[hit] += self.idf(t) * tf[hit] / (norm[hit] + tf[hit])
        return out

    def _doc_freq(self, token: str) -> int:
        if token not in self._df:
            rows = self.client.query(self.name + TERMS_SUFFIX, ids=[token], output_fields=["df"])
            self._df[token] = int(rows[0]["df"]) if rows else 0
        return self._df[token]

    def knows(self, token: str) -> bool:
        return self._doc_freq(token) > 0

    def idf(self, token: str) -> float:
        """As LexicalIndex.idf."""
        import math

        df = self._doc_freq(token)
        return math.log(1 + (self.num_docs - df + 0.5) / (df + 0.5))

@dataclass(eq=False)  # identity: the ranker keys caches by index parts (weakly)
class MilvusCaseIndex:
    """The index in service from Milvus, with CaseIndex's shape (path, manifest, store, vectors, lexical)."""

    path: Path  # the collection's name as a path: what the engine compares builds by
    manifest: Manifest
    store: MilvusStore
    vectors: MilvusVectors
    lexical: MilvusLexical
    client: Any
    prefix: str
    build: str  # the local build name the collection held when opened
    live_rows: None = None
    last_publish: SyncStats | None = None  # what the publish that opened it wrote (benchmarks report it)
    stamp: int | None = None  # the side's stamp when opened (side_stamp)

    @property
    def collection(self) -> str:
        return str(self.path)

    def stale(self) -> bool:
        """Whether a reindex (this process's or another's) has moved the alias, or brought the collection it names
        to another build, since this was opened."""
        name = current_collection(self.client, self.prefix)
        if name != self.collection:
            return True
        # Checked on every question: the stamp is one primary-key read, the manifest row a scan (Milvus Lite).
        if self.stamp is not None:
            return side_stamp(self.client, name) != self.stamp
        return built(self.client, name) != self.build

    @classmethod
    def open(cls, client, prefix: str, *, model: str) -> "MilvusCaseIndex":
        name = current_collection(client, prefix)
        if name is None:
            raise IndexProblem(f"no index yet in Milvus (collection alias {prefix!r}); run `casebot reindex`")
        try:
            # Milvus Lite releases collections when its process ends; a server keeps them loaded (then no-op).
            for coll in _parts(name):
                _load(client, coll)
            # Read first: a side rewritten while it is read then has another stamp, and is opened again.
            stamp = side_stamp(client, name)
            rows = _scan(client, name + DOCS_SUFFIX, 'kind in ["manifest", "document"]', ["kind", "meta"])
        except Exception as exc:  # noqa: BLE001 - a collection swapped away or damaged mid-open
            raise IndexProblem(f"the index in Milvus cannot be read ({type(exc).__name__}); run `casebot reindex`"
                               ) from None
        metas = [r["meta"] for r in rows if r["kind"] == "manifest"]
        if len(metas) != 1:
            raise IndexProblem("the index in Milvus has no manifest; run `casebot reindex`")
        meta = dict(metas[0])
        build, avgdl = meta.pop("build", None), float(meta.pop("avgdl", 1.0))
        meta.pop("next_id", None)
        manifest = Manifest.model_validate({**meta, "files": {}})
        if manifest.format_version != FORMAT_VERSION or manifest.model != model:
            raise IndexProblem("the index in Milvus was built with another model or format; run `casebot reindex`")
        documents, counts, ranges = {}, {}, {}
        for r in rows:
            if r["kind"] == "document":
                meta = dict(r["meta"])
                counts[meta["doc_id"]] = int(meta.pop("sentences"))
                ranges[meta["doc_id"]] = (int(meta.pop("first_id")), counts[meta["doc_id"]])
                documents[meta["doc_id"]] = DocumentRow(**meta)
        if len(documents) != manifest.documents or sum(counts.values()) != manifest.sentences:
            raise IndexProblem("the index in Milvus is inconsistent; run `casebot reindex`")
        store = MilvusStore(client, name, documents, counts, manifest.sentences, ranges)
        return cls(Path(name), manifest, store, MilvusVectors(client, name, manifest.sentences, manifest.dim),
                   MilvusLexical(client, name, manifest.sentences, avgdl), client, prefix, build, stamp=stamp)


@lru_cache(maxsize=8)
def shared_client(uri: str, token: str | None):
    """One client per URI in a process: Milvus Lite allows one per file."""
    return connect(uri, token)


def release_all() -> None:
    """Close every client and stop the Milvus Lite servers this process started (their threads would otherwise
    live until exit; tests that fork subprocesses want them gone)."""
    shared_client.cache_clear()
    try:
        from milvus_lite.server_manager import server_manager_instance
    except ImportError:
        return
    server_manager_instance.release_all()
