"""The Milvus backend (issue 15): incremental reindex published by a new collection and an alias swap, never a
half-written case in service, a second process following the first's reindex, the same answers as the local
index, the CLI end to end, and a token never shown. Milvus Lite (a local folder) stands in for a server."""
from __future__ import annotations

import json
import shutil

import pytest

from retrieval.engine import CaseEngine
from retrieval.milvus_index import (DOCS_SUFFIX, SIDES, STAMP, current_collection, shared_client,
                                    side_collection)

from .conftest import CORPUS, EVAL, make_settings, milvus_settings

EXTRA = EVAL / "extra"
QUESTIONS = [json.loads(line)["question"] for line in (EVAL / "questions.jsonl").read_text().splitlines() if line]
LATE = "bulletin-2026-04-21-musk-no-show.md"


def _corpus(tmp_path, *, without=()):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for src in [*CORPUS.iterdir(), *EXTRA.iterdir()]:
        if src.name not in without and src.is_file():
            shutil.copy(src, corpus / src.name)
    return corpus


def _answers(engine, questions=QUESTIONS):
    return [(q, [(a.text, a.citation.doc_id, a.citation.paragraph) for a in engine.ask(q).answers])
            for q in questions]


@pytest.fixture(autouse=True, scope="module")
def _stop_milvus_lite_after():
    from retrieval.milvus_index import release_all

    yield
    release_all()


def _client(settings):
    return shared_client(settings.milvus_uri, None)


def test_milvus_answers_what_the_local_index_answers(tmp_path, embedder):
    corpus = _corpus(tmp_path)
    local = CaseEngine(make_settings(corpus, tmp_path / "local"), embedder=embedder)
    milvus = CaseEngine(milvus_settings(corpus, tmp_path / "staging", tmp_path / "m.db"), embedder=embedder)
    local.reindex()
    milvus.reindex()
    a, b = _answers(local), _answers(milvus)
    top_same = sum(x[1][:1] == y[1][:1] for x, y in zip(a, b))
    assert top_same >= 0.95 * len(QUESTIONS), [(x, y) for x, y in zip(a, b) if x != y]
    assert [s.to_json() for s in local.sources()] == [s.to_json() for s in milvus.sources()]
    assert [e.to_json() for e in local.timeline()] == [e.to_json() for e in milvus.timeline()]


class Writes:
    """Every row a publish inserts into or deletes from Milvus, per collection, counted at the client (the
    deleted rows counted by querying the delete's filter just before it runs)."""

    def __init__(self, client, monkeypatch):
        self.inserted: dict[str, list[dict]] = {}
        self.deleted: dict[str, int] = {}
        self.upserted: dict[str, list[dict]] = {}
        cls = type(client)
        real_insert, real_delete, real_upsert = cls.insert, cls.delete, cls.upsert

        def insert(this, collection_name, data, *args, **kwargs):
            self.inserted.setdefault(collection_name, []).extend(data)
            return real_insert(this, collection_name, data, *args, **kwargs)

        def delete(this, collection_name, *args, filter=None, **kwargs):
            rows = this.query(collection_name, filter=filter, output_fields=["count(*)"])
            self.deleted[collection_name] = self.deleted.get(collection_name, 0) + int(rows[0]["count(*)"])
            return real_delete(this, collection_name, *args, filter=filter, **kwargs)

        def upsert(this, collection_name, data, *args, **kwargs):
            self.upserted.setdefault(collection_name, []).extend(data)
            return real_upsert(this, collection_name, data, *args, **kwargs)

        monkeypatch.setattr(cls, "upsert", upsert)
        monkeypatch.setattr(cls, "insert", insert)
        monkeypatch.setattr(cls, "delete", delete)

    def sentences(self) -> list[dict]:
        return [r for name, rows in self.inserted.items() if not name.endswith(DOCS_SUFFIX) for r in rows]

    def deleted_sentences(self) -> int:
        return sum(n for name, n in self.deleted.items() if not name.endswith(DOCS_SUFFIX))

    def terms(self) -> set[str]:
        return {r["term"] for rows in self.upserted.values() for r in rows if r["term"] != STAMP}

    def clear(self) -> None:
        self.inserted.clear()
        self.deleted.clear()
        self.upserted.clear()


def _side_rows(client, name: str) -> int:
    return int(client.query(name, filter="", output_fields=["count(*)"])[0]["count(*)"])


@pytest.mark.parametrize("late", [LATE, "courier-2026-02-05-yaccarino.md"])
def test_adding_an_article_writes_only_its_rows(tmp_path, embedder, monkeypatch, late):
    corpus = _corpus(tmp_path, without=(late,))
    settings = milvus_settings(corpus, tmp_path / "staging", tmp_path / "m.db")
    engine = CaseEngine(settings, embedder=embedder)
    first = engine.reindex()
    client = _client(settings)
    before = current_collection(client, settings.milvus_collection)
    # The first publish fills both sides, so every later one writes only the change.
    assert {_side_rows(client, side_collection(settings.milvus_collection, s)) for s in SIDES} == {first.sentences}
    writes = Writes(client, monkeypatch)
    shutil.copy(EXTRA / late, corpus / late)
    second = engine.reindex()
    doc = late[:-3]
    assert second.added == [doc] and second.embedded <= second.sentences - first.sentences
    rows = writes.sentences()
    assert len(rows) == second.sentences - first.sentences and {r["doc_id"] for r in rows} == {doc}
    assert writes.deleted_sentences() == 0
    # and the document frequencies of its terms, no others
    assert writes.terms() == {t for r in rows for t in r["tokens"].split()}
    after = current_collection(client, settings.milvus_collection)
    assert after != before and _side_rows(client, after) == second.sentences
    # The side replaced still holds the build before, for questions already running on it.
    assert _side_rows(client, before) == first.sentences
    assert doc in {s.doc_id for s in engine.sources()}
    # Nothing changed: nothing is written and the side in service stays.
    writes.clear()
    third = engine.reindex()
    assert not third.rebuilt and current_collection(client, settings.milvus_collection) == after
    assert not writes.inserted and not writes.deleted and not writes.upserted


@pytest.mark.parametrize("gone", [LATE, "courier-2026-02-05-yaccarino.md"])
def test_removing_an_article_deletes_only_its_rows(tmp_path, embedder, monkeypatch, gone):
    corpus = _corpus(tmp_path)
    settings = milvus_settings(corpus, tmp_path / "staging", tmp_path / "m.db")
    engine = CaseEngine(settings, embedder=embedder)
    first = engine.reindex()
    client = _client(settings)
    doc = gone[:-3]
    own = {s.doc_id: s.sentences for s in engine.sources()}[doc]
    writes = Writes(client, monkeypatch)
    (corpus / gone).unlink()
    second = engine.reindex()
    assert second.removed == [doc] and second.embedded == 0
    assert writes.deleted_sentences() == own == first.sentences - second.sentences
    assert writes.sentences() == []
    assert writes.terms() and all(set(r) == {"term", "df", "v"} for rows in writes.upserted.values() for r in rows)
    assert doc not in {s.doc_id for s in engine.sources()}
    assert _side_rows(client, current_collection(client, settings.milvus_collection)) == second.sentences


def test_each_side_catches_up_on_the_changes_it_missed(tmp_path, embedder):
    """The side out of service is one build behind: a publish applies the change before the last as well as its
    own, and the case then answers as one built from scratch on the same corpus."""
    corpus = _corpus(tmp_path, without=(LATE,))
    settings = milvus_settings(corpus, tmp_path / "staging", tmp_path / "m.db")
    engine = CaseEngine(settings, embedder=embedder)
    engine.reindex()
    shutil.copy(EXTRA / LATE, corpus / LATE)
    engine.reindex()  # into the second side
    (corpus / "wire-2026-02-04-yaccarino.md").unlink()
    engine.reindex()  # into the first side: LATE added and `victim` removed since it was written
    fresh = CaseEngine(milvus_settings(corpus, tmp_path / "fresh", tmp_path / "fresh.db"), embedder=embedder)
    fresh.reindex()
    assert [s.to_json() for s in engine.sources()] == [s.to_json() for s in fresh.sources()]
    assert _answers(engine, QUESTIONS[:8]) == _answers(fresh, QUESTIONS[:8])
    assert [e.to_json() for e in engine.timeline()] == [e.to_json() for e in fresh.timeline()]


def _stray_rows(client, side):
    """Rows of a document the side has no document row for, as a publish that died mid-way leaves them."""
    rows = client.query(side, filter="id >= 0", limit=3, output_fields=["*"])
    top = max(int(r["id"]) for r in client.query(side, filter="id >= 0", output_fields=["id"]))
    client.insert(side, [{**{k: v for k, v in r.items() if k != "sparse"}, "id": top + 1 + n, "doc_id": "ghost"}
                         for n, r in enumerate(rows)])


def _lost_rows(client, side):
    """A document row whose sentences are gone."""
    doc = client.query(side, filter="id >= 0", limit=1, output_fields=["doc_id"])[0]["doc_id"]
    client.delete(side, filter=f'doc_id == "{doc}"')


@pytest.mark.parametrize("damage", [_stray_rows, _lost_rows])
def test_a_side_that_does_not_add_up_is_rewritten_whole(tmp_path, embedder, damage):
    corpus = _corpus(tmp_path, without=(LATE,))
    settings = milvus_settings(corpus, tmp_path / "staging", tmp_path / "m.db")
    engine = CaseEngine(settings, embedder=embedder)
    engine.reindex()
    client = _client(settings)
    prefix = settings.milvus_collection
    other = next(side_collection(prefix, s) for s in SIDES
                 if side_collection(prefix, s) != current_collection(client, prefix))
    damage(client, other)
    client.delete(other + DOCS_SUFFIX, filter='kind == "manifest"')  # as a publish that died leaves it
    shutil.copy(EXTRA / LATE, corpus / LATE)
    second = engine.reindex()
    assert current_collection(client, prefix) == other and engine.index.last_publish.rewritten
    assert _side_rows(client, other) == second.sentences
    assert not client.query(other, filter='doc_id == "ghost"', output_fields=["id"])
    fresh = CaseEngine(milvus_settings(corpus, tmp_path / "fresh", tmp_path / "fresh.db"), embedder=embedder)
    fresh.reindex()
    assert [s.to_json() for s in engine.sources()] == [s.to_json() for s in fresh.sources()]
    assert _answers(engine, QUESTIONS[:6]) == _answers(fresh, QUESTIONS[:6])


@pytest.mark.parametrize("fail_on", ["insert", "flush", "alter_alias"])
def test_a_publish_that_fails_leaves_the_case_in_service_whole(tmp_path, embedder, monkeypatch, fail_on):
    corpus = _corpus(tmp_path, without=(LATE,))
    settings = milvus_settings(corpus, tmp_path / "staging", tmp_path / "m.db")
    engine = CaseEngine(settings, embedder=embedder)
    engine.reindex()
    client = _client(settings)
    before = current_collection(client, settings.milvus_collection)
    answers = _answers(engine, QUESTIONS[:4])
    shutil.copy(EXTRA / LATE, corpus / LATE)
    calls = {"n": 0}
    real = getattr(type(client), fail_on)

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] >= 2 or fail_on == "alter_alias":
            raise RuntimeError("Milvus went away")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(client), fail_on, failing)
    with pytest.raises(RuntimeError):
        engine.reindex()
    monkeypatch.undo()
    assert current_collection(client, settings.milvus_collection) == before
    reader = CaseEngine(settings, embedder=embedder)  # a fresh process's view
    assert _answers(reader, QUESTIONS[:4]) == answers
    # and the next reindex completes the job
    engine.reindex()
    assert current_collection(client, settings.milvus_collection) != before
    assert reader.ask("Did Musk attend the hearing in April?").answers[0].citation.doc_id == LATE[:-3]


def test_a_second_bot_process_follows_the_first_ones_reindex(tmp_path, embedder):
    """Two engines on one Milvus, each with its own local folder: what two `casebot run` shards are. (Milvus Lite
    serves one process, so both live in this one; with a Milvus server they are separate processes.)"""
    corpus = _corpus(tmp_path, without=(LATE,))
    uri = tmp_path / "m.db"
    shard0 = CaseEngine(milvus_settings(corpus, tmp_path / "shard0", uri), embedder=embedder)
    shard1 = CaseEngine(milvus_settings(corpus, tmp_path / "shard1", uri), embedder=embedder)
    shard0.reindex()
    shard1.load()  # opens the index shard 0 built; builds nothing
    assert not (tmp_path / "shard1").exists() or not any((tmp_path / "shard1").rglob("*.faiss"))
    assert _answers(shard1, QUESTIONS[:4]) == _answers(shard0, QUESTIONS[:4])
    shutil.copy(EXTRA / LATE, corpus / LATE)
    shard0.reindex()
    assert shard1.ask("Did Musk attend the hearing in April?").answers[0].citation.doc_id == LATE[:-3]
    assert {s.doc_id for s in shard1.sources()} == {s.doc_id for s in shard0.sources()}


class Reads:
    """Every query and search the client sends while active: (method, collection, "ids" or the filter)."""

    def __init__(self, client, monkeypatch):
        self.calls: list[tuple[str, str, str]] = []
        cls = type(client)
        for method in ("query", "search", "get"):
            real = getattr(cls, method)

            def wrapped(this, collection_name, *args, _real=real, _method=method, **kwargs):
                how = "ids" if kwargs.get("ids") is not None else (kwargs.get("filter") or "")
                self.calls.append((_method, collection_name, how))
                return _real(this, collection_name, *args, **kwargs)

            monkeypatch.setattr(cls, method, wrapped)


def test_a_question_costs_a_bounded_number_of_milvus_reads(tmp_path, embedder, monkeypatch):
    """A filter is a scan of the collection on Milvus Lite (100,000 sentences: ~0.3-0.6 s each), so a question
    reads sentences by primary key only (a document's rows are a known id range), the documents collection at
    most once (its answers' paragraphs, together), and a bounded number of times in all, whatever its candidate
    articles and answers; the answers stay those of the local index."""
    corpus = _corpus(tmp_path)
    local = CaseEngine(make_settings(corpus, tmp_path / "local"), embedder=embedder)
    engine = CaseEngine(milvus_settings(corpus, tmp_path / "staging", tmp_path / "m.db"), embedder=embedder)
    local.reindex()
    engine.reindex()
    name = current_collection(_client(engine.settings), engine.settings.milvus_collection)
    reads = Reads(_client(engine.settings), monkeypatch)
    answered = 0
    for q in QUESTIONS:
        reads.calls.clear()
        result = engine.ask(q)
        answered += result.answered
        on_sentences = [c for c in reads.calls if c[1] == name]
        on_docs = [c for c in reads.calls if c[1] == name + DOCS_SUFFIX]
        assert all(c[0] == "search" or c[2] == "ids" for c in on_sentences), (q, on_sentences)
        assert len(on_sentences) <= 8 and len(on_docs) <= 1, (q, reads.calls)
        assert [(a.text, a.citation.doc_id, a.citation.paragraph) for a in result.answers] == \
            [(a.text, a.citation.doc_id, a.citation.paragraph) for a in local.ask(q).answers]
    assert answered >= len(QUESTIONS) // 2  # the passages and paragraphs of answers were read, too


@pytest.mark.parametrize("publishes", [1, 2, 3])
def test_a_reader_sees_every_publish_even_when_the_alias_comes_back(tmp_path, embedder, publishes):
    """Another process's publishes while this one asks nothing: after two, the alias names the side this one had
    open again, rewritten since; it must still read the case as it is now (its cached reads of that side go)."""
    corpus = _corpus(tmp_path, without=(LATE,))
    uri = tmp_path / "m.db"
    writer = CaseEngine(milvus_settings(corpus, tmp_path / "writer", uri), embedder=embedder)
    reader = CaseEngine(milvus_settings(corpus, tmp_path / "reader", uri), embedder=embedder)
    writer.reindex()
    reader.load()
    _answers(reader, QUESTIONS[:4])  # its caches filled from the side in service
    victim = corpus / "wire-2026-02-04-yaccarino.md"
    kept = victim.read_text(encoding="utf-8")
    changes = [lambda: shutil.copy(EXTRA / LATE, corpus / LATE), victim.unlink,
               lambda: victim.write_text(kept + "\n\nShares in the company closed flat.\n", encoding="utf-8")]
    for change in changes[:publishes]:
        change()
        writer.reindex()
    assert [s.to_json() for s in reader.sources()] == [s.to_json() for s in writer.sources()]
    assert _answers(reader, QUESTIONS[:8] + ["Did Musk attend the hearing in April?"]) == \
        _answers(writer, QUESTIONS[:8] + ["Did Musk attend the hearing in April?"])


def test_the_cli_works_on_milvus(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    corpus = _corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    for name, value in {"CORPUS_DIR": corpus, "INDEX_DIR": tmp_path / "staging", "INDEX_BACKEND": "milvus",
                        "MILVUS_URI": tmp_path / "m.db"}.items():
        monkeypatch.setenv(f"CASEBOT_{name}", str(value))
    assert main(["health"]) == 1 and "no index yet in Milvus" in capsys.readouterr().err
    assert main(["reindex", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] >= 3
    # Ranking parity is test_milvus_answers_what_the_local_index_answers's; here the command's contract.
    assert main(["ask", "--json", "Who raided the offices of X?"]) == 0
    assert "Paris prosecutors have raided" in json.loads(capsys.readouterr().out)["answers"][0]["text"]
    assert main(["ask", "What is the capital of Australia?"]) == 1
    capsys.readouterr()
    assert main(["timeline", "--json"]) == 0 and json.loads(capsys.readouterr().out)["events"]
    assert main(["sources", "--json"]) == 0 and len(json.loads(capsys.readouterr().out)["sources"]) >= 3
    assert main(["health"]) == 0 and capsys.readouterr().out.startswith("ok: ")


@pytest.mark.parametrize("token", ["s3cret-token-value", "root:Milvus-pass-123"])
def test_the_token_is_never_shown(tmp_path, monkeypatch, capsys, caplog, token):
    """A Milvus that cannot be reached: the error names the setting, not the token."""
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOT_INDEX_BACKEND", "milvus")
    monkeypatch.setenv("CASEBOT_MILVUS_URI", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("CASEBOT_MILVUS_TOKEN", token)
    shared_client.cache_clear()
    code = main(["health"])
    out = capsys.readouterr()
    assert code == 1 and "CASEBOT_MILVUS_URI" in out.err
    assert token not in out.err + out.out + caplog.text


def test_each_case_has_its_own_index_in_milvus(tmp_path, embedder):
    from retrieval.cases import CaseRegistry
    from tests.cases_helpers import BOEING, PARIS, write_two_cases

    corpus = write_two_cases(tmp_path / "corpus")
    settings = milvus_settings(corpus, tmp_path / "staging", tmp_path / "m.db")
    registry = CaseRegistry(settings, embedder=embedder)
    for _, engine in registry.engines():
        engine.reindex()
    paris, boeing = registry.engine(PARIS), registry.engine(BOEING)
    assert paris.settings.milvus_collection != boeing.settings.milvus_collection
    client = _client(settings)
    assert current_collection(client, paris.settings.milvus_collection) != current_collection(
        client, boeing.settings.milvus_collection)
    top = paris.ask("Who raided the offices of X?").answers[0]
    assert "Paris prosecutors have raided" in top.text
    assert all(s.doc_id not in {p.doc_id for p in paris.sources()} for s in boeing.sources())
    top = boeing.ask("Why did the door plug blow out?").answers[0]
    assert "door plug" in top.text and top.citation.doc_id in {s.doc_id for s in boeing.sources()}


class _Console:
    """`casebot console` in its own process, fed line by line; its output collected by a thread."""

    def __init__(self, env: dict[str, str], cwd):
        import queue
        import subprocess
        import sys
        import threading

        self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "console"], env=env, cwd=cwd, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=lambda: [self.lines.put(x) for x in self.proc.stdout], daemon=True).start()

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait_for(self, text: str, limit_s: float = 300) -> str:
        """The first line from now on that holds `text` (the process's whole output on failure)."""
        import queue

        while True:
            try:
                line = self.lines.get(timeout=limit_s)
            except queue.Empty:
                raise AssertionError(f"no {text!r} in:\n" + "".join(self.seen)) from None
            self.seen.append(line)
            if text in line:
                return line

    def close(self) -> None:
        if self.proc.poll() is None:
            self.send("/quit")
            try:
                self.proc.wait(timeout=30)
            except Exception:  # noqa: BLE001 - a console that does not quit is stopped
                self.proc.kill()


@pytest.fixture
def milvus_server(tmp_path):
    """A Milvus Lite server (`milvus-lite server`, the package's gRPC server) on 127.0.0.1: what a Milvus
    standalone is to casebot, a URI several processes share."""
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(tmp_path / "milvus"),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("milvus-lite server did not start")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_two_processes_on_one_milvus_follow_each_others_reindex(tmp_path, embedder, milvus_server):
    """Two casebot processes, each with its own staging folder, on one Milvus: one reindexes, the other (a
    console already running) answers from the new build on its next question."""
    import os

    corpus = _corpus(tmp_path, without=(LATE,))
    writer = CaseEngine(milvus_settings(corpus, tmp_path / "writer", milvus_server), embedder=embedder)
    first = writer.reindex()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")}
    env.update({"CASEBOT_INDEX_BACKEND": "milvus", "CASEBOT_MILVUS_URI": milvus_server,
                "CASEBOT_CORPUS_DIR": str(corpus), "CASEBOT_INDEX_DIR": str(tmp_path / "reader")})
    reader = _Console(env, tmp_path)
    try:
        reader.wait_for(f"{first.documents} article(s) indexed")
        reader.send("/sources")
        reader.wait_for(f"{first.documents} article(s) in the index")
        shutil.copy(EXTRA / LATE, corpus / LATE)
        second = writer.reindex()
        assert second.added == [LATE[:-3]]
        reader.send("/sources")
        reader.wait_for(f"{second.documents} article(s) in the index")
        reader.wait_for("Musk does not attend Paris interview")
        reader.send("Did Musk attend the Paris interview in April?")
        reader.wait_for("did not attend a voluntary interview")
    finally:
        reader.close()
    # The reader built nothing of its own: the index it answered from is the writer's.
    assert not any((tmp_path / "reader").rglob("*.faiss"))


def test_milvus_is_written_under_the_staging_folders_reindex_lock(tmp_path, embedder, monkeypatch):
    """Processes sharing one staging folder queue on its lock; the Milvus publish happens inside it, so two
    publishes of a case never write the same side at once (a new build, and a reindex that found nothing new)."""
    import fcntl

    from retrieval import backends

    corpus = _corpus(tmp_path, without=(LATE,))
    settings = milvus_settings(corpus, tmp_path / "staging", tmp_path / "m.db")
    engine = CaseEngine(settings, embedder=embedder)
    seen = []
    real = backends.publish

    def checking(s, build):
        with open(s.index_dir / "reindex.lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                seen.append("held")
            else:
                fcntl.flock(fh, fcntl.LOCK_UN)
                seen.append("free")
        return real(s, build)

    monkeypatch.setattr(backends, "publish", checking)
    engine.reindex()
    assert not engine.reindex().rebuilt
    shutil.copy(EXTRA / LATE, corpus / LATE)
    engine.reindex()
    assert seen == ["held", "held", "held"]
    assert LATE[:-3] in {s.doc_id for s in engine.sources()}
