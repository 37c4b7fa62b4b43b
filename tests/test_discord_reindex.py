"""/reindex: admins only (hidden and enforced in code), one progress message, answers keep flowing meanwhile."""
from __future__ import annotations

import logging
import re
import threading

import discord
import pytest
import simcord

from retrieval.models import ReindexSummary
from tests.conftest import make_settings
from tests.discord_helpers import (all_text, dispatch_slash_nowait, message_bodies, pings_nobody, running_bot,
                                   wait_until)

MUSK_QUOTE = "summoned by prosecutors to appear in April"
NEW_ARTICLE = """---
title: Musk hearing date set, prosecutors say
source: The Courier
url: https://courier.example.org/2026/02/musk-hearing-date
published: '2026-02-05'
---

The hearing of the tycoon has been set for 20 April, the Paris prosecutors said on Thursday.

Lawyers for the platform declined to comment on the hearing.
"""


def _add_article(engine) -> None:
    (engine.settings.corpus_dir / "courier-2026-02-05-hearing-date.md").write_text(NEW_ARTICLE, encoding="utf-8")


class CountingEngine:
    """The real engine; counts reindex calls (optionally replacing them with a canned summary)."""

    def __init__(self, inner, *, fake_summary: ReindexSummary | None = None):
        self._inner = inner
        self.fake_summary = fake_summary
        self.reindex_calls = 0

    def __getattr__(self, name):
        return getattr(self._inner, name)

    @property
    def reindex_running(self):
        return self._inner.reindex_running

    def reindex(self, progress=None, **options):
        self.reindex_calls += 1
        if self.fake_summary is not None:
            return self.fake_summary
        return self._inner.reindex(progress, **options)


class GatedEngine(CountingEngine):
    """Holds the real reindex at its first progress report (lock taken, old index in service) until /ask runs.

    The gate opens when a question has been answered, so the test proves the answer came while the reindex
    was still running, not after it.
    """

    def __init__(self, inner):
        super().__init__(inner)
        self.started = threading.Event()
        self.release = threading.Event()
        self.asked_while_reindexing: list[bool] = []
        self.progress_seen: list[str] = []

    def reindex(self, progress=None, **options):
        self.reindex_calls += 1

        def gated(stage, done, total):
            self.progress_seen.append(stage)
            if not self.started.is_set():
                self.started.set()
                assert self.release.wait(timeout=60), "no /ask came while the reindex was running"
            if progress:
                progress(stage, done, total)

        return self._inner.reindex(gated, **options)

    def ask(self, question, k=None):
        result = self._inner.ask(question, k)
        self.asked_while_reindexing.append(self._inner.reindex_running)
        self.release.set()
        return result


def _reindex_command_id(w) -> int:
    return int(w.env.backend.find_command("reindex", w.guild.id, type=1)["id"])


async def test_reindex_is_hidden_from_members_without_manage_server(bundled_engine):
    engine = CountingEngine(bundled_engine)
    async with running_bot(engine, bundled_engine.settings) as w:
        assert "reindex" not in w.reporter.available_commands(w.channel)
        with pytest.raises(simcord.SetupError, match="not visible"):
            await w.reporter.slash(w.channel, "reindex")
        assert engine.reindex_calls == 0


async def test_reindex_by_a_non_admin_is_refused_in_code_and_changes_nothing(engine, caplog):
    """A server admin re-granted /reindex to everyone in Integrations; the bot still refuses non-admins."""
    caplog.set_level(logging.INFO)
    counting = CountingEngine(engine)
    index_before = engine.index.path
    _add_article(engine)
    async with running_bot(counting, engine.settings) as w:
        w.guild.set_command_permissions(_reindex_command_id(w), {w.guild.default_role: True})
        result = await w.reporter.slash(w.channel, "reindex")
        assert result.ephemeral
        assert "Manage Server" in result.response.content
        assert [type(e).__name__ for e in w.take_errors()] == ["NotCaseAdmin"]
        assert counting.reindex_calls == 0 and not engine.reindex_running
        assert engine.index.path == index_before
        sources = await w.reporter.slash(w.channel, "sources")
        assert "1 article(s)" in all_text(sources)
    assert any("/reindex refused" in r.getMessage() and str(w.reporter.id) in r.getMessage()
               for r in caplog.records)


async def test_member_with_a_configured_admin_role_may_reindex(bundled_engine):
    settings = make_settings(bundled_engine.settings.corpus_dir, bundled_engine.settings.index_dir)
    engine = CountingEngine(bundled_engine, fake_summary=ReindexSummary(documents=1, sentences=17, rebuilt=False))
    async with running_bot(engine, settings) as w:
        desk = w.guild.create_role("Desk chiefs")  # no Manage Server
        chief = w.guild.add_member(w.env.create_user("dana"), roles=[desk])
        w.bot.settings = make_settings(settings.corpus_dir, settings.index_dir, admin_role_ids=str(desk.id))
        w.guild.set_command_permissions(_reindex_command_id(w), {desk: True})
        result = await chief.slash(w.channel, "reindex")
        assert engine.reindex_calls == 1
        assert "Index up to date" in result.response.content


async def test_admin_reindex_while_questions_keep_being_answered(engine, caplog):
    caplog.set_level(logging.INFO)
    gated = GatedEngine(engine)
    index_before = engine.index.path
    _add_article(engine)
    async with running_bot(gated, engine.settings) as w:
        first = dispatch_slash_nowait(w.env, w.admin, w.channel, "reindex")
        await wait_until(gated.started.is_set, what="the reindex to start")
        assert engine.reindex_running

        # A second /reindex meanwhile is told it is queued behind the running one.
        second = dispatch_slash_nowait(w.env, w.admin, w.channel, "reindex")
        await wait_until(lambda: second.response is not None, what="the answer to the second /reindex")
        assert second.ephemeral and "Queued behind the reindex already running" in second.response.content
        assert first.response is not None and "Reindexing" in first.response.content
        assert first.ephemeral  # an admin action is answered to the admin only

        # /ask during the reindex: answered from the index in service (this also lets the reindex go on).
        asked = await w.reporter.slash(w.channel, "ask", question="When must Musk appear?")
        assert MUSK_QUOTE in all_text(asked)
        assert gated.asked_while_reindexing == [True]

        # The single progress message now holds the summary; the new index is in service.
        summary = first.response.content
        assert first.followups == []
        assert "Indexed 2 documents" in summary and "1 added" in summary
        assert "Added: courier-2026-02-05-hearing-date" in summary or "Added: courier" in summary
        assert f"Requested by <@{w.admin.id}>" in summary
        # The queued one ran after it, on its own message, and found nothing left to do.
        await wait_until(lambda: "Index up to date" in second.response.content, what="the second summary")
        assert "(nothing changed)" in second.response.content and second.followups == []
        assert gated.reindex_calls == 2 and not engine.reindex_running
        assert engine.index.path != index_before
        assert {"split", "embed", "write"} <= set(gated.progress_seen)

        # ONE progress message: posted once, then only edited.
        progress_edits = [b.get("content", "") for m, p, b in message_bodies(w.env)
                          if m == "PATCH" and p.endswith(f"/{first._interaction.token}/messages/@original")]
        assert progress_edits[-1] == summary
        assert any(e.startswith("⏳ Reindexing the corpus: ") for e in progress_edits[:-1])
        assert not any(p.startswith("/channels/") for m, p, b in message_bodies(w.env))

        answer = await w.reporter.slash(w.channel, "ask", question="When is the hearing of the tycoon?")
        assert "20 April" in all_text(answer) and "The Courier" in all_text(answer)
        for _method, _path, body in message_bodies(w.env):
            assert pings_nobody(body)

    messages = [r.getMessage() for r in caplog.records if r.name == "casebot.reindex"]
    assert any("requested by edith" in m and str(w.admin.id) in m for m in messages)
    assert any("finished" in m and '"added": ["courier' in m for m in messages)
    assert any("queued behind the reindex running" in m for m in messages)


async def test_reindex_problem_is_reported_and_the_old_index_kept(engine, caplog):
    caplog.set_level(logging.INFO)
    index_before = engine.index.path
    for path in engine.settings.corpus_dir.iterdir():
        path.unlink()
    (engine.settings.corpus_dir / "broken.md").write_bytes(b"\x00\x01")
    async with running_bot(engine) as w:
        result = await w.admin.slash(w.channel, "reindex")
        assert "Reindex stopped" in result.response.content
        assert "previous index is still answering" in result.response.content
        assert engine.index.path == index_before
        asked = await w.reporter.slash(w.channel, "ask", question="When must Musk appear?")
        assert MUSK_QUOTE in all_text(asked)
    assert any(r.name == "casebot.reindex" and "failed" in r.getMessage() for r in caplog.records)


class ChattyEngine(CountingEngine):
    """A reindex that reports progress 400 times in about a second."""

    def reindex(self, progress=None, **options):
        import time

        self.reindex_calls += 1
        for i in range(400):
            progress("embed", i + 1, 400)
            time.sleep(0.0025)
        return ReindexSummary(documents=1, sentences=17, added=["a"], seconds=1.0)


async def test_progress_edits_are_throttled(bundled_engine):
    engine = ChattyEngine(bundled_engine)
    async with running_bot(engine, bundled_engine.settings) as w:
        w.bot.get_cog("Admin").progress_interval = 0.25
        result = await w.admin.slash(w.channel, "reindex")
        edits = [b["content"] for m, p, b in message_bodies(w.env)
                 if m == "PATCH" and p.endswith(f"/{result._interaction.token}/messages/@original")]
        assert "1 added" in edits[-1]
        progress = edits[:-1]
        # simcord's clock stands still while the bot waits on a thread, so only the first report shows;
        # the interval itself is measured on a real clock in test_follow_progress_throttles_edits.
        assert 1 <= len(progress) <= 5, progress
        assert all(re.match(r"⏳ Reindexing the corpus: embedding sentences [\d,]+/400 \(\d+%\)", e) for e in progress)


async def test_follow_progress_throttles_edits():
    """On a real clock: 400 reports in about a second, one edit per 0.2 s at most."""
    import asyncio
    import time

    from bot.cogs.admin import ReindexProgress, follow_progress

    progress = ReindexProgress(asyncio.get_running_loop())
    shown = []

    def reindex():
        for i in range(400):
            progress("embed", i + 1, 400)
            time.sleep(0.0025)

    async def show(stage, done, total):
        shown.append((time.monotonic(), done))

    started = time.monotonic()
    work = asyncio.ensure_future(asyncio.to_thread(reindex))
    await follow_progress(work, progress, show, 0.2)
    elapsed = time.monotonic() - started
    assert 2 <= len(shown) <= elapsed / 0.2 + 1.5, (len(shown), elapsed)
    gaps = [b[0] - a[0] for a, b in zip(shown, shown[1:])]
    assert all(g >= 0.19 for g in gaps), gaps
    assert [d for _, d in shown] == sorted(d for _, d in shown)


# -- several /reindex at once (issue 13: admin actions on one case queue rather than fail) --------------------
def _admins(w, *names):
    desk = w.guild.create_role("Desk editors", permissions=discord.Permissions(manage_guild=True))
    return [w.admin] + [w.guild.add_member(w.env.create_user(name), roles=[desk]) for name in names]


def _finished_order(caplog) -> list[str]:
    return [m.split("/reindex by ", 1)[1].split(" ", 1)[0] for m in
            (r.getMessage() for r in caplog.records if r.name == "casebot.reindex") if " finished: " in m]


@pytest.mark.parametrize("waiting", [1, 3])
async def test_reindexes_of_one_case_queue_run_in_order_and_each_admin_gets_its_summary(engine, caplog, waiting):
    caplog.set_level(logging.INFO)
    gated = GatedEngine(engine)
    _add_article(engine)
    async with running_bot(gated, engine.settings) as w:
        admins = _admins(w, *[f"editor{n}" for n in range(waiting)])
        first = dispatch_slash_nowait(w.env, admins[0], w.channel, "reindex")
        await wait_until(gated.started.is_set, what="the first reindex to start")
        queued = []
        for admin in admins[1:]:
            queued.append(dispatch_slash_nowait(w.env, admin, w.channel, "reindex"))
            await wait_until(lambda: queued[-1].response is not None, what="the queued /reindex's answer")
        for result in queued:
            assert result.ephemeral and "Queued behind the reindex already running" in result.response.content
        assert "Reindexing" in first.response.content and gated.reindex_calls == 1

        gated.release.set()
        results = [first, *queued]
        await wait_until(lambda: all("Requested by" in r.response.content for r in results), timeout=120,
                         what="every admin's summary")
        for admin, result in zip(admins, results):
            assert result.ephemeral and result.followups == []  # its own message, edited to its own summary
            assert f"Requested by <@{admin.id}>" in result.response.content
        assert "Indexed 2 documents" in first.response.content and "1 added" in first.response.content
        # Each queued one started from the index the one before published: nothing left to do, nothing embedded.
        for result in queued:
            assert "Index up to date: 2 documents" in result.response.content
            assert "(nothing changed)" in result.response.content
        assert gated.reindex_calls == 1 + waiting and not engine.reindex_running
    assert _finished_order(caplog) == [a.name for a in admins]


async def test_reindexes_of_different_cases_do_not_wait_for_each_other(tmp_path, embedder, monkeypatch):
    from retrieval.cases import CaseRegistry
    from tests.cases_helpers import BOEING, BOEING_SECOND, PARIS, write_two_cases

    registry = CaseRegistry(make_settings(write_two_cases(tmp_path), tmp_path / "index"), embedder=embedder)
    for _, case_engine in registry.engines():
        case_engine.reindex()
    paris, boeing = registry.engine(PARIS), registry.engine(BOEING)
    _add_article(paris)
    (boeing.settings.corpus_dir / "planetalk-cap-2.md").write_text(
        BOEING_SECOND.replace("planetalk.example.net/news/737-cap", "planetalk.example.net/news/737-cap-2")
        .replace("may not raise", "still may not raise"), encoding="utf-8")
    started, release = threading.Event(), threading.Event()
    real_reindex = paris.reindex

    def held_reindex(progress=None, **options):
        def gate(stage, done, total):
            started.set()
            assert release.wait(timeout=60), "the Paris reindex was never released"
            progress(stage, done, total)
        return real_reindex(gate, **options)

    monkeypatch.setattr(paris, "reindex", held_reindex)
    async with running_bot(registry) as w:
        held = dispatch_slash_nowait(w.env, w.admin, w.channel, "reindex", case=PARIS)
        await wait_until(started.is_set, what="the Paris reindex to start")
        other = dispatch_slash_nowait(w.env, w.admin, w.channel, "reindex", case=BOEING)
        await wait_until(lambda: other.response is not None and "Requested by" in other.response.content,
                         timeout=120, what="the Boeing reindex to finish while Paris's is held")
        assert "1 added" in other.response.content
        other_token = other._interaction.token
        assert not any("Queued" in b.get("content", "") for _m, p, b in message_bodies(w.env) if other_token in p)
        assert paris.reindex_running and "Requested by" not in held.response.content

        release.set()
        await wait_until(lambda: "Requested by" in held.response.content, timeout=120, what="the Paris summary")
        assert "1 added" in held.response.content
