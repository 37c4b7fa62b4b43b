"""Load: many /ask interactions at once, through the real command tree, while an admin /reindex runs.

200 /ask interactions are delivered together (simcord, in-process: real discord.py Interactions, the real
CommandTree and cogs, the real engine and embedding model) while /reindex rebuilds the index from the bundled
corpus plus 100 synthetic articles. What must hold:

- every interaction is acknowledged ("thinking…") before its search starts, and within Discord's 3 s on a
  real clock;
- none fails (simcord records every error the bot raises);
- each answer comes wholly from the index in service when it started, old or new: its citations name only
  documents of that build and its quotes stand verbatim in that build's paragraphs. One question ("What colour
  was the Zorblat lighthouse painted?") has its answer only in a synthetic article: before the swap it gets no
  answer, after the swap it gets that article.

The reindex is held just after it published the new build until half of the questions have started, so the
swap lands in the middle of the load on any machine (otherwise a fast reindex could finish before the first
question, or a slow one after the last). Figures go to stdout as `reliability: load …` lines.
"""
from __future__ import annotations

import asyncio
import contextvars
import os
import shutil
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from simcord.http import router as simcord_router

from retrieval.engine import NO_ANSWER, CaseEngine
from tests.conftest import CORPUS, make_settings
from tests.discord_helpers import all_text, dispatch_slash_nowait, running_bot, wait_until

SYNTHETIC = 100
ZORBLAT_Q = "What colour was the Zorblat lighthouse painted?"
ZORBLAT_DOC = "synthetic-000"
QUESTIONS = (
    "When must Musk appear?",  # the bundled article, in both builds
    ZORBLAT_Q,  # only in a synthetic article: only the new build answers it
    "Which offices did Paris prosecutors raid?",
    "What is the recipe for French onion soup?",  # in neither: no answer from either build
)
ISLANDS = ("Ambrel", "Borrin", "Castel", "Dunmore", "Eskar", "Fennick", "Galloway", "Harth", "Ivel", "Jostra")
ACK_LIMIT_S = 3.0  # Discord drops an interaction not acknowledged within 3 seconds

# The interaction a worker thread is answering: set in the tree's interaction_check (in the interaction's own
# task), and carried into the search thread by asyncio.to_thread, which copies the context.
CURRENT_INTERACTION: contextvars.ContextVar[int | None] = contextvars.ContextVar("interaction", default=None)


def synthetic_article(i: int) -> str:
    """Short, few sentences, deterministic; article 0 alone knows about the Zorblat lighthouse."""
    place = f"{ISLANDS[i % 10]}-{ISLANDS[(i // 10) % 10]}"
    if i == 0:
        body = ("The Zorblat lighthouse on Vantor Island was painted bright teal by the harbour authority.\n\n"
                "Harbour pilots said the new colour is visible from the northern channel.")
    else:
        body = (f"The harbour office of {place} reopened its ferry pier after the winter storms.\n\n"
                f"Fishermen in {place} said the quay lights were repaired by the council.")
    return (f"---\ntitle: Harbour bulletin {place}\nsource: Synthetic Wire\n"
            f"url: https://wire.example.org/harbour/{i:03d}\npublished: '2026-03-{1 + i % 28:02d}'\n---\n\n"
            f"{body}\n")


def write_synthetic(corpus: Path, count: int = SYNTHETIC) -> list[str]:
    ids = []
    for i in range(count):
        (corpus / f"synthetic-{i:03d}.md").write_text(synthetic_article(i), encoding="utf-8")
        ids.append(f"synthetic-{i:03d}")
    return ids


@dataclass
class AskRecord:
    interaction_id: int | None
    question: str
    acknowledged_before_search: bool
    index_before: object  # the CaseIndex in service when the search started, and when it ended
    index_after: object = None
    result: object = None
    seconds: float = 0.0


@dataclass
class LoadEngine:
    """The real engine, watched: which index each search used, and whether its interaction was already
    acknowledged when the search began. Holds the reindex, after it published, until `hold_until_started`
    searches have begun."""

    inner: CaseEngine
    hold_until_started: int
    interactions: dict = field(default_factory=dict)  # interaction id -> simcord InteractionResult
    asks: list = field(default_factory=list)
    started: int = 0
    stages: list = field(default_factory=list)
    embedding: threading.Event = field(default_factory=threading.Event)
    held_s: float = 0.0
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def __getattr__(self, name):
        return getattr(self.inner, name)

    @property
    def reindex_running(self):
        return self.inner.reindex_running

    def reindex(self, progress=None, **options):
        def watched(stage, done, total):
            self.stages.append(stage)
            if stage == "embed":
                self.embedding.set()
            if stage == "write" and done == total:  # published; the engine swaps right after this returns
                t0 = time.monotonic()
                with self._cond:
                    self._cond.wait_for(lambda: self.started >= self.hold_until_started, timeout=120)
                self.held_s = time.monotonic() - t0
            if progress:
                progress(stage, done, total)

        return self.inner.reindex(watched, **options)

    def ask(self, question, k=None):
        iid = CURRENT_INTERACTION.get()
        handle = self.interactions.get(iid)
        # simcord's view at the moment the search starts: acknowledged, and showing "thinking…".
        acked = handle is not None and handle.acknowledged and handle.deferred
        record = AskRecord(iid, question, acked, self.inner.index)
        with self._cond:
            self.started += 1
            self._cond.notify_all()
        t0 = time.perf_counter()
        try:
            record.result = self.inner.ask(question, k)
        finally:
            record.seconds = time.perf_counter() - t0
            record.index_after = self.inner.index
            with self._cond:
                self.asks.append(record)
        return record.result


def _from_one_build(record: AskRecord) -> object | None:
    """The build (old or new CaseIndex) that wholly explains this answer, or None if none does."""
    candidates = [record.index_before] + ([record.index_after] if record.index_after is not record.index_before
                                          else [])
    for index in candidates:
        docs = index.store.documents
        ok = True
        for answer in record.result.answers:
            cites = (answer.citation, *answer.also)
            if any(c.doc_id not in docs for c in cites):
                ok = False
                break
            para = index.store.paragraphs([(answer.citation.doc_id, answer.citation.paragraph)])
            if answer.text not in para.get((answer.citation.doc_id, answer.citation.paragraph), ""):
                ok = False
                break
        if ok:
            return index
    return None


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


async def run_load(tmp_path: Path, embedder, monkeypatch, asks: int) -> dict:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = make_settings(corpus, tmp_path / "index", ask_cooldown_seconds=0)  # no cooldown under load
    inner = CaseEngine(settings, embedder=embedder)
    inner.reindex()
    old_index = inner.index
    synthetic_ids = write_synthetic(corpus)
    engine = LoadEngine(inner, hold_until_started=asks // 2)

    # Real-clock timestamps of every REST call the bot makes (acknowledgements and answers).
    http_times: list[tuple[float, str, str]] = []
    answered_tokens: set[str] = set()  # interactions whose answer (a followup) has been sent
    original_dispatch = simcord_router.dispatch

    def timed_dispatch(backend, method, path, **kwargs):
        http_times.append((time.perf_counter(), method, path))
        result = original_dispatch(backend, method, path, **kwargs)
        parts = path.strip("/").split("/")
        if method == "POST" and parts[0] == "webhooks" and len(parts) == 3:
            answered_tokens.add(parts[2])
        return result

    monkeypatch.setattr(simcord_router, "dispatch", timed_dispatch)

    # simcord's settle budget covers the whole burst (1,000 asks take over a minute on two busy cores).
    async with running_bot(engine, settings, settle_timeout=max(60.0, asks * 0.6)) as w:
        async def tag(interaction) -> bool:
            CURRENT_INTERACTION.set(interaction.id)
            return True

        w.bot.tree.interaction_check = tag
        askers = [w.guild.add_member(w.env.create_user(f"reporter{n:02d}")) for n in range(20)]

        reindex = dispatch_slash_nowait(w.env, w.admin, w.channel, "reindex")
        await wait_until(engine.embedding.is_set, timeout=60, what="the reindex to start embedding")
        assert engine.inner.index is old_index

        dispatched: dict[int, tuple[float, str]] = {}
        results = []
        t_start = time.perf_counter()
        for n in range(asks):
            question = QUESTIONS[n % len(QUESTIONS)]
            sent_at = time.perf_counter()
            result = dispatch_slash_nowait(w.env, askers[n % len(askers)], w.channel, "ask", question=question)
            engine.interactions[result._interaction.id] = result
            dispatched[result._interaction.id] = (sent_at, question)
            results.append(result)
            # One event at a time, as the gateway delivers them: the loop may run the bot between two events
            # (without this, the harness's own loop of `asks` dispatches would count as the bot's latency).
            await asyncio.sleep(0)
        dispatch_s = time.perf_counter() - t_start

        await wait_until(lambda: all(r._interaction.token in answered_tokens for r in results), timeout=300,
                         what="every /ask to be answered")
        t_end = time.perf_counter()
        await wait_until(lambda: reindex.response is not None and "Indexed" in reindex.response.content,
                         timeout=120, what="the reindex summary")
        await w.env.settle()
        errors = w.take_errors()
        texts = {r._interaction.id: all_text(r) for r in results}
        acknowledged = {r._interaction.id: r.acknowledged for r in results}
        tokens = {r._interaction.token: r._interaction.id for r in results}
        summary = reindex.response.content

    new_index = inner.index
    ack_at: dict[int, float] = {}
    answered_at: dict[int, float] = {}
    for t, method, path in http_times:
        parts = path.strip("/").split("/")
        if method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            iid = int(parts[1])
            if iid in dispatched:
                ack_at.setdefault(iid, t)
        elif method == "POST" and parts[0] == "webhooks" and len(parts) == 3 and parts[2] in tokens:
            answered_at.setdefault(tokens[parts[2]], t)
    return dict(engine=engine, inner=inner, old_index=old_index, new_index=new_index,
                synthetic_ids=synthetic_ids, results=results, dispatched=dispatched, texts=texts,
                acknowledged=acknowledged, errors=errors, summary=summary, ack_at=ack_at,
                answered_at=answered_at, seconds=t_end - t_start, dispatch_s=dispatch_s)


def check_load(run: dict, asks: int) -> str:
    engine: LoadEngine = run["engine"]
    old_index, new_index = run["old_index"], run["new_index"]
    dispatched = run["dispatched"]

    # The reindex finished and put the new build (bundled + 100 synthetic articles) in service.
    assert f"{SYNTHETIC} added" in run["summary"], run["summary"]
    assert new_index is not old_index and new_index.path != old_index.path
    assert set(run["synthetic_ids"]) <= set(new_index.store.documents)
    assert not set(run["synthetic_ids"]) & set(old_index.store.documents)

    # None failed; every interaction was acknowledged (deferred) before its search began, in time.
    assert run["errors"] == [], run["errors"]
    assert len(dispatched) == asks
    assert all(run["acknowledged"].values())
    assert len(engine.asks) == asks
    assert {r.interaction_id for r in engine.asks} == set(dispatched)
    late = [r.interaction_id for r in engine.asks if not r.acknowledged_before_search]
    assert not late, f"{len(late)} search(es) began before their interaction was acknowledged"
    ack_latency = [run["ack_at"][i] - dispatched[i][0] for i in dispatched]
    assert max(ack_latency) < ACK_LIMIT_S, f"slowest acknowledgement {max(ack_latency):.2f} s"
    latency = [run["answered_at"][i] - dispatched[i][0] for i in dispatched]

    # Each answer wholly from one build; the swap happened in the middle of the load.
    from_old = from_new = 0
    for record in engine.asks:
        build = _from_one_build(record)
        assert build is not None, (record.question, record.result)
        text = run["texts"][record.interaction_id]
        cited = {c.doc_id for a in record.result.answers for c in (a.citation, *a.also)}
        if record.index_before is record.index_after:
            from_old += build is old_index
            from_new += build is new_index
        if record.question == ZORBLAT_Q:
            if build is old_index:
                assert not record.result.answered and NO_ANSWER in text
            else:
                assert record.result.answered and ZORBLAT_DOC in cited
                assert "Zorblat lighthouse" in text and "Synthetic Wire" in text
        elif record.result.answered:
            assert not cited & set(run["synthetic_ids"]), (record.question, cited)  # bundled answers only
        else:
            assert NO_ANSWER in text
        assert record.question in text  # the answer went to the interaction that asked it
    assert from_old > 0 and from_new > 0, (from_old, from_new)

    throughput = asks / run["seconds"]
    p95_ms = _p95(latency) * 1000
    search_ms = [r.seconds * 1000 for r in engine.asks]
    line = (f"reliability: load asks={asks} concurrent={asks} throughput={throughput:.1f}/s "
            f"p95_ms={p95_ms:.0f} failures=0")
    print()
    print(line)
    print(f"reliability: load detail asks={asks} median_ms={statistics.median(latency) * 1000:.0f} "
          f"max_ms={max(latency) * 1000:.0f} ack_p95_ms={_p95(ack_latency) * 1000:.0f} "
          f"ack_max_ms={max(ack_latency) * 1000:.0f} search_median_ms={statistics.median(search_ms):.0f} "
          f"from_old_index={from_old} from_new_index={from_new} straddling_swap={asks - from_old - from_new} "
          f"reindex_docs={len(new_index.store.documents)} reindex_held_s={engine.held_s:.1f} "
          f"dispatch_s={run['dispatch_s']:.2f} "
          f"cpus={os.cpu_count()}")
    return line


async def test_200_concurrent_asks_during_a_reindex(tmp_path, embedder, monkeypatch):
    run = await run_load(tmp_path, embedder, monkeypatch, asks=200)
    check_load(run, 200)


# conftest.py deletes every CASEBOT_* variable on import, so CASEBOT_STRESS is read here if it survived, and
# otherwise stress mode is inferred from `-m stress` (what `make stress` passes), as in test_fuzz.py.
_STRESS_ENV = os.environ.get("CASEBOT_STRESS") == "1"


@pytest.mark.stress
async def test_1000_concurrent_asks_during_a_reindex(tmp_path, embedder, monkeypatch, request):
    markexpr = request.config.getoption("markexpr", "") or ""
    if not (_STRESS_ENV or ("stress" in markexpr and "not stress" not in markexpr)):
        pytest.skip("long load run: `make stress` (CASEBOT_STRESS=1, -m stress)")
    run = await run_load(tmp_path, embedder, monkeypatch, asks=1000)
    check_load(run, 1000)
