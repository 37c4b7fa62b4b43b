"""The index in service kept in Milvus (CASEBOT_INDEX_BACKEND=milvus): several bot processes, one index.

What is stored, per build, in two collections named after it (`<prefix>_b<build>` and `<prefix>_b<build>_docs`):
- sentences: id (the sentence id, also its row in the local build), the dense vector (inner product), casebot's
  own BM25 tokens as text with Milvus' built-in BM25 function writing a sparse field, the sentence text, document
  id, paragraph, position, offsets, and its dates (JSON);
- docs: the manifest, one row per document (metadata, sentence count) and the paragraph texts (Milvus needs a
  vector field in every collection: these rows carry a constant 2-d one).

The alias `<prefix>` names the sentences collection in service. A reindex runs the local pipeline as before (scan,
split, the embedding cache: only new text is embedded), then writes the whole build into new collections and moves
the alias (Milvus' documented way to swap a collection in place), so a reader never sees a half-written case; the
build it replaced is kept until the next publish (a question already running on it finishes), older ones dropped. Every process that opens the alias checks it on each
question and follows a swap made by another.

The readers below give the engine what it reads from a local build, with the same shapes (`store`, `vectors`,
`lexical` of CaseIndex), so ranking, abstention, timeline and Discord are unchanged.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from retrieval.lexical import B, K1
from retrieval.manifest import FORMAT_VERSION, IndexProblem, Manifest
from retrieval.models import SourceInfo
from retrieval.store import DateRow, DocumentRow, SentenceRow

DOCS_SUFFIX = "_docs"
PART_CHARS = 16_000  # a paragraph is stored in parts of this many characters (VARCHAR holds 65,535 bytes)
INSERT_BATCH = 2_000
# BM25 hits fetched per question; the engine takes the best 40 (retrieval/search.py LEXICAL_DEPTH), so these are
# exact, and a dense candidate outside them scores 0 on BM25, which the ranking does not read.
BM25_HITS = 200
_OUT = ["id", "doc_id", "paragraph", "position", "start", "end", "text", "tokens"]
QUERY_IDS = 4_000  # ids per query: Milvus caps a query's result at 16,384 rows


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


def build_collection(prefix: str, build: Path) -> str:
    return f"{prefix}_b" + re.sub(r"[^0-9A-Za-z_]", "_", build.name)


# -- writing ---------------------------------------------------------------------------------------------------
def _sentence_schema(client, dim: int):
    from pymilvus import DataType, Function, FunctionType

    s = client.create_schema(auto_id=False)
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("vec", DataType.FLOAT_VECTOR, dim=dim)
    # casebot's tokens (stemmed, stop words out) joined by spaces: Milvus' standard analyzer splits them back
    # unchanged, so its BM25 and TEXT_MATCH see exactly the terms the local index sees.
    s.add_field("tokens", DataType.VARCHAR, max_length=65_535, enable_analyzer=True, enable_match=True,
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


def publish(client, prefix: str, build: Path) -> str:
    """Write the local build at `build` into new collections and move the alias `prefix` to them; returns the
    sentences collection now in service. Already in service: nothing is written."""
    import faiss

    from retrieval.indexer import VECTORS_NAME
    from retrieval.manifest import read_manifest
    from retrieval.store import STORE_NAME, SentenceStore

    name = build_collection(prefix, build)
    previous = current_collection(client, prefix)
    if previous == name:
        return name
    manifest = read_manifest(build)
    for stale in (name, name + DOCS_SUFFIX):  # left by a publish that died half-way
        if client.has_collection(stale):
            client.drop_collection(stale)
    schema, index_params = _sentence_schema(client, manifest.dim)
    client.create_collection(name, schema=schema, index_params=index_params, consistency_level="Strong")
    schema, index_params = _docs_schema(client)
    client.create_collection(name + DOCS_SUFFIX, schema=schema, index_params=index_params,
                             consistency_level="Strong")
    store = SentenceStore(build / STORE_NAME)
    try:
        bundles = store.bundles()
    finally:
        store.close()
    vectors = faiss.read_index(str(build / VECTORS_NAME))

    def sentence_rows():
        for bundle in bundles.values():
            ids = np.array([s.id for s in bundle.sentences], dtype=np.int64)
            vecs = vectors.reconstruct_batch(ids) if len(ids) else np.zeros((0, manifest.dim), np.float32)
            dates: dict[int, list] = {}
            for idx, d in bundle.dates:
                dates.setdefault(idx, []).append([d.value, d.mod, d.date_text, d.start, d.end, d.until])
            for idx, (s, v) in enumerate(zip(bundle.sentences, vecs)):
                yield {"id": s.id, "vec": v.tolist(), "tokens": " ".join(s.tokens), "text": s.text,
                       "doc_id": s.doc_id, "paragraph": s.paragraph, "position": s.position, "start": s.start,
                       "end": s.end, "dated": idx in dates, "dates": dates.get(idx, [])}

    def doc_rows():
        yield {"kind": "manifest", "doc_id": "", "paragraph": 0, "part": 0, "text": "",
               "meta": json.loads(manifest.model_dump_json(exclude={"files", "corpus_states"})), "v": [0.0, 0.0]}
        for bundle in bundles.values():
            d = bundle.document
            yield {"kind": "document", "doc_id": d.doc_id, "paragraph": 0, "part": 0, "text": "",
                   "meta": {**asdict(d), "sentences": len(bundle.sentences)}, "v": [0.0, 0.0]}
            for p_num, text in enumerate(bundle.paragraphs, start=1):
                for part, at in enumerate(range(0, max(len(text), 1), PART_CHARS)):
                    yield {"kind": "paragraph", "doc_id": d.doc_id, "paragraph": p_num, "part": part,
                           "text": text[at:at + PART_CHARS], "meta": {}, "v": [0.0, 0.0]}

    for batch in _batches(sentence_rows()):
        client.insert(name, batch)
    for batch in _batches(doc_rows()):
        client.insert(name + DOCS_SUFFIX, batch)
    for coll in (name, name + DOCS_SUFFIX):
        client.flush(coll)
        client.load_collection(coll)
    if previous is None:
        client.create_alias(name, prefix)
    else:
        client.alter_alias(name, prefix)
    # The build just replaced stays one more round, so a question that opened it in another process before the
    # swap still finishes from it; older builds of this alias go.
    own = re.compile(re.escape(prefix) + r"_b[0-9_]+$")
    for coll in client.list_collections():
        base = coll[:-len(DOCS_SUFFIX)] if coll.endswith(DOCS_SUFFIX) else coll
        if own.fullmatch(base) and base not in (name, previous):
            client.drop_collection(coll)
    return name


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

    def close(self) -> None:
        """Nothing to close: the client is shared."""

    def count(self) -> int:
        return self.total

    def sentences(self, ids: Sequence[int]) -> dict[int, SentenceRow]:
        if not len(ids):
            return {}
        return {int(r["id"]): _row(r) for r in _by_ids(self.client, self.name, ids, _OUT)}

    def date_spans(self, ids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
        if not len(ids):
            return {}
        out: dict[int, list[tuple[int, int]]] = {}
        for r in _by_ids(self.client, self.name, ids, ["id", "dates"]):
            if r["dates"]:
                out[int(r["id"])] = sorted((int(d[3]), int(d[4])) for d in r["dates"])
        return out

    def paragraphs(self, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]:
        out: dict[tuple[str, int], str] = {}
        for doc_id, para in set(keys):
            rows = self.client.query(self.name + DOCS_SUFFIX, output_fields=["part", "text"],
                                     filter=f'kind == "paragraph" and doc_id == {_q(doc_id)} and paragraph == {int(para)}')
            if rows:
                out[(doc_id, para)] = "".join(r["text"] for r in sorted(rows, key=lambda r: r["part"]))
        return out

    def paragraph_sentences(self, doc_id: str, paragraph: int) -> list[SentenceRow]:
        rows = self.client.query(self.name, output_fields=_OUT,
                                 filter=f"doc_id == {_q(doc_id)} and paragraph == {int(paragraph)}")
        return sorted((_row(r) for r in rows), key=lambda s: s.position)

    def document_sentences(self, doc_id: str) -> list[str]:
        """The texts of a document's sentences, in order (as SentenceStore.document_sentences)."""
        rows = self.client.query(self.name, output_fields=["paragraph", "position", "text"],
                                 filter=f"doc_id == {_q(doc_id)}")
        return [r["text"] for r in sorted(rows, key=lambda r: (r["paragraph"], r["position"]))]

    def document_terms(self, doc_ids) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        """doc_id -> (tokens of its first paragraph, of all its sentences), as SentenceStore.document_terms."""
        cache = self.__dict__.setdefault("_doc_terms", {})
        for d in set(doc_ids) - set(cache):
            rows = self.client.query(self.name, output_fields=["paragraph", "tokens"], filter=f"doc_id == {_q(d)}")
            first = min((r["paragraph"] for r in rows), default=None)
            lead = frozenset(t for r in rows if r["paragraph"] == first for t in r["tokens"].split())
            cache[d] = (lead, frozenset(t for r in rows for t in r["tokens"].split()))
        return {d: cache[d] for d in doc_ids if d in cache}

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
    """BM25 through Milvus' BM25 function over casebot's tokens, and idf from exact document frequencies."""

    client: Any
    name: str
    num_rows: int
    num_docs: int
    _df: dict[str, int] = field(default_factory=dict)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 of the best BM25_HITS rows (0 elsewhere), on the local index's scale: Milvus multiplies the
        term weight by (k1 + 1), which the local formula (bm25s, Lucene's) leaves out."""
        out = np.zeros(self.num_rows, dtype=np.float32)
        text = " ".join(query_tokens)
        if not text:
            return out
        hits = self.client.search(self.name, data=[text], anns_field="sparse", limit=BM25_HITS,
                                  search_params={"metric_type": "BM25"}, output_fields=[])[0]
        for h in hits:
            out[int(h["id"])] = abs(float(h["distance"])) / (K1 + 1)
        return out

    def _doc_freq(self, token: str) -> int:
        if token not in self._df:
            if not re.fullmatch(r"\w+", token):
                self._df[token] = 0
            else:
                rows = self.client.query(self.name, filter=f"TEXT_MATCH(tokens, {_q(token)})",
                                         output_fields=["count(*)"])
                self._df[token] = int(rows[0]["count(*)"]) if rows else 0
        return self._df[token]

    def knows(self, token: str) -> bool:
        return self._doc_freq(token) > 0

    def idf(self, token: str) -> float:
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
    live_rows: None = None

    @property
    def collection(self) -> str:
        return str(self.path)

    def stale(self) -> bool:
        """Whether another reindex (this process's or another's) has moved the alias since this was opened."""
        return current_collection(self.client, self.prefix) != self.collection

    @classmethod
    def open(cls, client, prefix: str, *, model: str) -> "MilvusCaseIndex":
        from pymilvus.client.types import LoadState

        name = current_collection(client, prefix)
        if name is None:
            raise IndexProblem(f"no index yet in Milvus (collection alias {prefix!r}); run `casebot reindex`")
        try:
            # Milvus Lite releases collections when its process ends; a server keeps them loaded (then no-op).
            for coll in (name, name + DOCS_SUFFIX):
                if client.get_load_state(coll).get("state") != LoadState.Loaded:
                    client.load_collection(coll)
            rows = client.query(name + DOCS_SUFFIX, filter='kind in ["manifest", "document"]',
                                output_fields=["kind", "meta"])
        except Exception as exc:  # noqa: BLE001 - a collection swapped away or damaged mid-open
            raise IndexProblem(f"the index in Milvus cannot be read ({type(exc).__name__}); run `casebot reindex`"
                               ) from None
        metas = [r["meta"] for r in rows if r["kind"] == "manifest"]
        if len(metas) != 1:
            raise IndexProblem("the index in Milvus has no manifest; run `casebot reindex`")
        manifest = Manifest.model_validate({**metas[0], "files": {}})
        if manifest.format_version != FORMAT_VERSION or manifest.model != model:
            raise IndexProblem("the index in Milvus was built with another model or format; run `casebot reindex`")
        documents, counts = {}, {}
        for r in rows:
            if r["kind"] == "document":
                meta = dict(r["meta"])
                counts[meta["doc_id"]] = int(meta.pop("sentences"))
                documents[meta["doc_id"]] = DocumentRow(**meta)
        if len(documents) != manifest.documents or sum(counts.values()) != manifest.sentences:
            raise IndexProblem("the index in Milvus is inconsistent; run `casebot reindex`")
        store = MilvusStore(client, name, documents, counts, manifest.sentences)
        return cls(Path(name), manifest, store, MilvusVectors(client, name, manifest.rows, manifest.dim),
                   MilvusLexical(client, name, manifest.rows, manifest.sentences), client, prefix)


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
