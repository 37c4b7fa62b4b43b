"""Cases in Discord: the `case` option and its autocomplete, /case list and set (a channel default that
survives a restart), mentions, /add by file and link, /remove, admin-only checks, queueing, logs."""
from __future__ import annotations

import asyncio
import logging

import pytest
import simcord

from retrieval.cases import CaseRegistry
from retrieval.engine import NO_ANSWER
from tests.cases_helpers import BOEING, MUSK_QUESTION, MUSK_QUOTE, PARIS, write_two_cases
from tests.conftest import make_settings
from tests.discord_helpers import all_text, dispatch_slash_nowait, running_bot, wait_until
from tests.http_pages import Page, PageServer, article_html
from tests.test_cli_cases import NOTE, PAGE, PAGE_QUESTION, PAGE_QUOTE


@pytest.fixture
def registry(tmp_path, embedder):
    corpus = write_two_cases(tmp_path)
    # No per-user cooldown: these tests ask many questions in a row (the cooldown has its own tests).
    reg = CaseRegistry(make_settings(corpus, tmp_path / "index", ask_cooldown_seconds=0), embedder=embedder)
    for _, engine in reg.engines():
        engine.reindex()
    return reg


def fresh(reg: CaseRegistry, **extra) -> CaseRegistry:
    """A registry as a restarted bot makes it: from the same folders, nothing kept in memory."""
    settings = make_settings(reg.settings.corpus_dir, reg.settings.index_dir, ask_cooldown_seconds=0, **extra)
    return CaseRegistry(settings, embedder=reg.embedder)


async def test_case_option_keeps_answers_timelines_and_sources_in_their_case(registry):
    async with running_bot(registry) as w:
        paris = await w.reporter.slash(w.channel, "ask", question=MUSK_QUESTION, case=PARIS)
        assert MUSK_QUOTE in all_text(paris)
        boeing = await w.reporter.slash(w.channel, "ask", question=MUSK_QUESTION, case=BOEING)
        assert NO_ANSWER in all_text(boeing)
        sources = all_text(await w.reporter.slash(w.channel, "sources", case=BOEING))
        assert "The Aviation Desk" in sources and "The Independent" not in sources
        timeline = all_text(await w.reporter.slash(w.channel, "timeline", case=BOEING))
        assert "Musk" not in timeline and "door plug" in timeline.lower()


@pytest.mark.parametrize("command, options", [("ask", {"question": MUSK_QUESTION}), ("timeline", {}),
                                              ("sources", {})])
async def test_without_a_case_several_cases_are_listed_privately(registry, command, options):
    async with running_bot(registry) as w:
        result = await w.reporter.slash(w.channel, command, **options)
        assert result.ephemeral and "Which case?" in result.response.content
        assert BOEING in result.response.content and PARIS in result.response.content
        assert [type(e).__name__ for e in w.take_errors()] == ["UserFacingError"]
        unknown = await w.reporter.slash(w.channel, command, case="nope", **options)
        assert unknown.ephemeral and "no case named 'nope'" in unknown.response.content
        w.take_errors()


async def test_case_autocomplete_offers_the_cases_by_name_or_title(registry):
    async with running_bot(registry) as w:
        for command in ("ask", "timeline", "sources", "reindex", "add", "remove"):
            actor = w.admin
            offered = await actor.autocomplete(w.channel, command, "case", "")
            assert {c["value"] for c in offered} == {PARIS, BOEING}, command
        assert [c["value"] for c in await w.reporter.autocomplete(w.channel, "ask", "case", "boe")] == [BOEING]
        by_title = await w.reporter.autocomplete(w.channel, "ask", "case", "x in")
        assert [c["value"] for c in by_title] == [PARIS] and "X in Paris" in by_title[0]["name"]


async def test_remove_autocomplete_offers_the_chosen_cases_articles(registry):
    async with running_bot(registry) as w:
        offered = await w.admin.autocomplete(w.channel, "remove", "article", "", case=BOEING)
        assert {c["value"] for c in offered} == {"aviation-door-plug", "planetalk-cap"}
        assert any("The Aviation Desk" in c["name"] for c in offered)
        typed = await w.admin.autocomplete(w.channel, "remove", "article", "regulator", case=BOEING)
        assert [c["value"] for c in typed] == ["planetalk-cap"]
        # No case chosen and several cases: nothing to offer yet (rather than another case's articles).
        assert await w.admin.autocomplete(w.channel, "remove", "article", "") == []


async def test_channel_default_is_admin_only_used_by_mentions_and_survives_a_restart(registry, caplog):
    caplog.set_level(logging.INFO)
    async with running_bot(registry) as w:
        asked = await w.reporter.send(w.channel, f"{w.bot_mention} {MUSK_QUESTION}")
        await w.env.settle()
        reply = w.channel.last_message.content
        assert "Which case?" in reply and PARIS in reply and "/case set" in reply

        refused = await w.reporter.slash(w.channel, "case set", case=PARIS)
        assert refused.ephemeral and "Manage Server" in refused.response.content
        assert [type(e).__name__ for e in w.take_errors()] == ["NotCaseAdmin"]

        done = await w.admin.slash(w.channel, "case set", case=PARIS)
        assert done.ephemeral and PARIS in done.response.content
        await w.reporter.send(w.channel, f"{w.bot_mention} {MUSK_QUESTION}")
        await w.env.settle()
        assert MUSK_QUOTE in w.channel.last_message.content
        # /ask without the option follows the channel; with it, the option wins.
        assert MUSK_QUOTE in all_text(await w.reporter.slash(w.channel, "ask", question=MUSK_QUESTION))
        assert NO_ANSWER in all_text(await w.reporter.slash(w.channel, "ask", question=MUSK_QUESTION,
                                                             case=BOEING))
        listed = await w.reporter.slash(w.channel, "case list")
        assert listed.ephemeral and "This channel's case: " + PARIS in listed.response.content
        assert "2 article(s)" in listed.response.content and "last reindex" in listed.response.content
        channel_id = w.channel.id
        del asked
    assert any("/case set by" in r.getMessage() and str(w.admin.id) in r.getMessage() and PARIS in r.getMessage()
               for r in caplog.records)

    # A restart: a new bot process state (registry, channel store) over the same folders.
    async with running_bot(fresh(registry)) as w2:
        real = w2.env.backend.snowflake
        ids = iter([channel_id])
        w2.env.backend.snowflake = lambda: next(ids, None) or real()
        try:
            same_channel = w2.guild.create_text_channel("case-desk")
        finally:
            w2.env.backend.snowflake = real
        assert same_channel.id == channel_id
        await w2.reporter.send(same_channel, f"{w2.bot_mention} {MUSK_QUESTION}")
        await w2.env.settle()
        assert MUSK_QUOTE in same_channel.last_message.content


async def test_one_case_needs_no_choosing(bundled_engine):
    async with running_bot(bundled_engine) as w:
        await w.reporter.send(w.channel, f"{w.bot_mention} {MUSK_QUESTION}")
        await w.env.settle()
        assert MUSK_QUOTE in w.channel.last_message.content


async def test_add_a_file_then_remove_it_as_an_admin(registry, caplog):
    caplog.set_level(logging.INFO)
    async with running_bot(registry) as w:
        added = await w.admin.slash(w.channel, "add", file=("wire note.txt", NOTE.encode()), case=BOEING)
        text = all_text(added)
        assert added.ephemeral, text
        assert "Added in case boeing-door-plug" in text and "Regulator opens investigation" in text
        assert "Wire Desk" in text and "2024-01-12" in text and "First sentence, to check" in text
        answer = await w.reporter.slash(w.channel, "ask", question="Who opened an investigation into Boeing's "
                                                                   "quality control?", case=BOEING)
        assert "opened a formal investigation" in all_text(answer)
        assert "Wire Desk" in all_text(await w.reporter.slash(w.channel, "sources", case=BOEING))

        offered = await w.admin.autocomplete(w.channel, "remove", "article", "wire", case=BOEING)
        assert len(offered) == 1
        removed = await w.admin.slash(w.channel, "remove", article=offered[0]["value"], case=BOEING)
        assert removed.ephemeral and "Removed" in all_text(removed) and ".removed/" in all_text(removed)
        assert "Wire Desk" not in all_text(await w.reporter.slash(w.channel, "sources", case=BOEING))
    messages = [r.getMessage() for r in caplog.records]
    assert any("/add by" in m and str(w.admin.id) in m and "wire note.txt" in m for m in messages)
    assert any("/remove by" in m and str(w.admin.id) in m for m in messages)


@pytest.mark.parametrize("name, data, reason", [
    ("notes.pdf", b"%PDF-1.4", ".md, .html or .txt"),
    ("../../etc/evil.md", b"---\ntitle: x\n---\n", "Nothing was added"),  # no body: refused; path never used
    ("empty.txt", b"", "Nothing was added"),
])
async def test_bad_files_are_refused_privately_and_change_nothing(registry, name, data, reason):
    before = sorted(p.relative_to(registry.settings.corpus_dir) for p in registry.settings.corpus_dir.rglob("*"))
    async with running_bot(registry) as w:
        result = await w.admin.slash(w.channel, "add", file=(name, data), case=BOEING)
        assert result.ephemeral and reason in all_text(result)
        w.take_errors()
    after = sorted(p.relative_to(registry.settings.corpus_dir) for p in registry.settings.corpus_dir.rglob("*"))
    assert after == before


@pytest.mark.parametrize("name", ["../../../outside.txt", "/tmp/absolute.txt", "..\\..\\windows.txt",
                                  "sub/dir/nested.txt", ".hidden.txt", "README.txt", "a\x00b.txt"])
async def test_a_file_name_is_never_a_path(registry, tmp_path, name):
    corpus = registry.settings.corpus_dir
    before = {p for p in tmp_path.rglob("*")}
    async with running_bot(registry) as w:
        result = await w.admin.slash(w.channel, "add", file=(name, NOTE.encode()), case=BOEING)
        assert "Added" in all_text(result), all_text(result)
    new = {p for p in tmp_path.rglob("*")} - before
    new_files = [p for p in new if p.is_file() and "index" not in p.relative_to(tmp_path).parts[0]]
    # One new article, a plain visible file directly in the case folder, named after the article.
    assert [p.parent for p in new_files] == [corpus / BOEING], new_files
    assert new_files[0].name.startswith("2024-01-12-wire-desk-regulator") and new_files[0].suffix == ".md"


async def test_non_admins_cannot_add_or_remove(registry):
    async with running_bot(registry) as w:
        for command in ("add", "remove"):
            assert command not in w.reporter.available_commands(w.channel)
            with pytest.raises(simcord.SetupError, match="not visible"):
                await w.reporter.slash(w.channel, command)


async def test_add_by_link_on_loopback_only_with_the_setting(registry):
    with PageServer() as server:
        server.pages["/2024/01/loose-bolts"] = Page(PAGE)
        url = server.url("/2024/01/loose-bolts")
        async with running_bot(registry) as w:
            refused = await w.admin.slash(w.channel, "add", url=url, case=BOEING)
            assert refused.ephemeral and "loopback" in all_text(refused) and "Nothing was added" in all_text(refused)
            assert server.requests == []
        allowed = fresh(registry, fetch_allow_private=True)
        async with running_bot(allowed) as w:
            added = await w.admin.slash(w.channel, "add", url=url, case=BOEING)
            assert "Airline finds loose bolts" in all_text(added) and "The Aviation Desk" in all_text(added)
            again = await w.admin.slash(w.channel, "add", url=url, case=BOEING)
            assert "Updated in case" in all_text(again)
            sources = all_text(await w.reporter.slash(w.channel, "sources", case=BOEING))
            assert sources.count("Airline finds loose bolts") == 1
            answer = await w.reporter.slash(w.channel, "ask", question=PAGE_QUESTION, case=BOEING)
            assert PAGE_QUOTE in all_text(answer)


async def test_several_adds_on_one_case_queue_instead_of_failing(registry):
    notes = [NOTE.replace("Wire Desk", f"Wire Desk {i}").replace("boeing-quality-probe", f"probe-{i}")
             .replace("Regulator opens", f"Regulator {i} opens") for i in range(3)]
    async with running_bot(registry) as w:
        results = [dispatch_slash_nowait(w.env, w.admin, w.channel, "add", file=(f"note{i}.txt", n.encode()),
                                         case=BOEING) for i, n in enumerate(notes)]
        await wait_until(lambda: all("Added" in all_text(r) for r in results), timeout=120,
                         what="all three adds")
        texts = [all_text(r) for r in results]
        assert all("Added in case" in t for t in texts), texts
        sources = all_text(await w.reporter.slash(w.channel, "sources", case=BOEING))
        assert all(f"Wire Desk {i}" in sources for i in range(3))
