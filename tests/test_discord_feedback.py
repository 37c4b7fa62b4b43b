"""Vote buttons under answers, clicked in simcord's in-memory Discord by the real bot.

What a reporter checks: the buttons are under every answer (slash and mention), a click is acknowledged only to
them, a second click changes their vote, a colleague's vote is their own, and the buttons still work after the
bot restarts and after a reindex; an editor's /feedback shows the counts.
"""
from __future__ import annotations

import pytest

from retrieval.feedback import BAD, GOOD, HAS_ANSWER, SHOULD_ABSTAIN, FeedbackStore

from bot.discord_app import CaseBot
from tests.discord_helpers import message_bodies, pings_nobody, running_bot

MUSK = "When must Musk appear?"
SOUP = "What is the recipe for French onion soup?"
MUSK_SENTENCE_START = "The tech billionaire has also been summoned by prosecutors to appear in April"


@pytest.fixture
def engine(settings, embedder):
    """The bundled corpus, with further quotes shown up to `count` whatever their score: these tests are about
    the buttons under one- and several-quote answers, not about when a second quote is good enough (that is the
    fitted ranking's, tested in tests/test_answer_faults.py)."""
    from dataclasses import replace

    from retrieval.engine import CaseEngine
    from retrieval.ranker import load_ranking

    eng = CaseEngine(settings, embedder=embedder, ranking=replace(load_ranking(), extra_threshold=0.0))
    eng.reindex()
    return eng


def _buttons(message) -> list[tuple[str, str]]:
    """(label, custom_id) of a message's buttons, whether simcord gives the rows as payloads or as objects."""
    out = []
    for row in message.components:
        for c in (row.get("components", []) if isinstance(row, dict) else row.children):
            out.append((c["label"], c["custom_id"]) if isinstance(c, dict) else (c.label, c.custom_id))
    return out


def _labels(message) -> list[str]:
    return [label for label, _ in _buttons(message)]


def _answer_id(message) -> str:
    ids = {custom_id.split(":")[2] for _, custom_id in _buttons(message)}
    assert len(ids) == 1, ids  # every button of a reply names the same answer
    return ids.pop()


def _with_buttons(result):
    messages = [m for m in ([result.response] if result.response else []) + result.followups if m.components]
    assert len(messages) == 1, "the vote buttons go under one message of the answer"
    return messages[0]


def _votes(settings, answer_id):
    return FeedbackStore(settings.index_dir).votes_on(answer_id)


async def test_votes_on_a_slash_answer_are_stored_changed_and_kept_per_person(engine):
    async with running_bot(engine) as w:
        result = await w.reporter.slash(w.channel, "ask", question=MUSK, count=2)
        message = _with_buttons(result)
        assert message.id == ([result.response] + result.followups)[-1].id  # under the last part of the answer
        assert _labels(message) == ["👍 [1]", "👍 [2]", "👎 Wrong quote", "Should have said no answer"]
        answer_id = _answer_id(message)

        first = await w.reporter.click(message, label="👍 [1]")
        assert first.ephemeral and "quote [1] is right" in first.response.content
        [vote] = _votes(engine.settings, answer_id)
        assert (vote.verdict, vote.quote) == (GOOD, 1)
        assert str(w.reporter.id) not in vote.user_hash

        second = await w.reporter.click(message, label="👎 Wrong quote")
        assert second.ephemeral and "Changed your vote" in second.response.content
        [vote] = _votes(engine.settings, answer_id)
        assert (vote.verdict, vote.quote) == (BAD, None)

        other = await w.colleague.click(message, label="Should have said no answer")
        assert other.ephemeral and "Thanks, noted" in other.response.content
        assert sorted(v.verdict for v in _votes(engine.settings, answer_id)) == [BAD, SHOULD_ABSTAIN]

        record = FeedbackStore(engine.settings.index_dir).answer(answer_id)
        assert record.question == MUSK and record.answered and record.build == engine.index.path.name
        assert record.quotes[0].sentence.startswith(MUSK_SENTENCE_START)
        # The public answer is untouched by the votes: acknowledgements went only to the clickers.
        assert _labels(message) == ["👍 [1]", "👍 [2]", "👎 Wrong quote", "Should have said no answer"]
        for _method, _path, body in message_bodies(w.env):
            assert pings_nobody(body)


async def test_an_abstention_offers_right_and_there_is_an_answer(engine):
    async with running_bot(engine) as w:
        result = await w.reporter.slash(w.channel, "ask", question=SOUP)
        message = _with_buttons(result)
        assert _labels(message) == ["👍 Right, no answer", "There is an answer"]
        clicked = await w.reporter.click(message, label="There is an answer")
        assert clicked.ephemeral and "there is an answer" in clicked.response.content
        [vote] = _votes(engine.settings, _answer_id(message))
        assert vote.verdict == HAS_ANSWER


async def test_a_one_quote_answer_has_one_thumb(engine):
    async with running_bot(engine) as w:
        result = await w.reporter.slash(w.channel, "ask", question=MUSK, count=1)
        message = _with_buttons(result)
        assert _labels(message) == ["👍 Right quote", "👎 Wrong quote", "Should have said no answer"]
        await w.reporter.click(message, label="👍 Right quote")
        [vote] = _votes(engine.settings, _answer_id(message))
        assert (vote.verdict, vote.quote) == (GOOD, 1)


@pytest.mark.parametrize("where", ["channel", "dm"])
async def test_mention_replies_carry_the_buttons_too(engine, where):
    async with running_bot(engine) as w:
        if where == "channel":
            clicker = w.reporter
            await w.reporter.send(w.channel, f"{w.bot_mention} when must Musk appear?")
            reply = w.channel.last_message
        else:
            clicker = w.reporter.user
            await w.reporter.user.send_dm("When must Musk appear?")
            reply = w.reporter.user.dm_channel.history()[-1]
        assert reply.author.id == w.bot.user.id and "👎 Wrong quote" in _labels(reply)
        clicked = await clicker.click(reply, label="👍 [1]")
        assert clicked.ephemeral
        [vote] = _votes(engine.settings, _answer_id(reply))
        assert vote.verdict == GOOD


async def test_buttons_still_work_after_the_bot_restarts_and_after_a_reindex(engine):
    async with running_bot(engine) as w:
        result = await w.reporter.slash(w.channel, "ask", question=MUSK)
        message = _with_buttons(result)
        answer_id = _answer_id(message)
        await w.reporter.click(message, label="👍 [1]")

        # A new process: a new bot object, nothing in memory but what it loads at start.
        await w.env.restart_bot(CaseBot(engine.settings, engine))
        after_restart = await w.colleague.click(message, label="👍 [2]")
        assert after_restart.ephemeral and "quote [2] is right" in after_restart.response.content

        # A reindex (new build in service, old ones pruned) does not touch the votes or the buttons.
        build = engine.index.path.name
        for i in range(3):
            (engine.settings.corpus_dir / f"note-{i}.md").write_text(
                f"---\ntitle: Note {i}\nsource: Wire\n---\n\nThe hearing {i} was postponed.\n", encoding="utf-8")
            engine.reindex()
        assert engine.index.path.name != build
        changed = await w.reporter.click(message, label="Should have said no answer")
        assert "Changed your vote" in changed.response.content
        assert sorted((v.verdict, v.quote) for v in _votes(engine.settings, answer_id)) == \
            [(GOOD, 2), (SHOULD_ABSTAIN, None)]


async def test_admin_feedback_shows_counts_and_the_worst_questions(engine):
    async with running_bot(engine) as w:
        empty = await w.admin.slash(w.channel, "feedback")
        assert empty.ephemeral and "No feedback yet" in empty.response.content
        answered = _with_buttons(await w.reporter.slash(w.channel, "ask", question=MUSK))
        abstained = _with_buttons(await w.reporter.slash(w.channel, "ask", question=SOUP))
        await w.reporter.click(answered, label="👎 Wrong quote")
        await w.colleague.click(answered, label="Should have said no answer")
        await w.reporter.click(abstained, label="👍 Right, no answer")

        shown = await w.admin.slash(w.channel, "feedback")
        text = shown.response.content
        assert shown.ephemeral
        assert "3 vote(s) on 2 replies" in text
        assert "👎 wrong quote 1" in text and "should have said no answer 1" in text
        assert "Most voted against" in text and MUSK in text
        assert SOUP not in text.split("Most voted against")[1]  # confirmed, not among the worst
        assert "casebot feedback export" in text


async def test_feedback_command_is_for_admins_only(engine):
    from tests.discord_helpers import dispatch_slash_raw

    async with running_bot(engine) as w:
        refused = dispatch_slash_raw(w.env, w.reporter.id, w.channel.id, "feedback", guild_id=w.guild.id)
        await w.env.settle()
        assert refused.ephemeral and "Manage Server" in refused.response.content
        assert "/feedback" in refused.response.content
        assert len(w.take_errors()) == 1


async def test_an_unwritable_feedback_store_costs_the_buttons_not_the_answer(engine, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    async with running_bot(engine) as w:
        answered = _with_buttons(await w.reporter.slash(w.channel, "ask", question=MUSK))
        monkeypatch.setattr(FeedbackStore, "record_answer", refuse)
        result = await w.reporter.slash(w.channel, "ask", question=MUSK)
        assert MUSK_SENTENCE_START in result.response.content and not result.response.components
        assert "without vote buttons" in caplog.text
        # A vote that cannot be written is answered privately with an error id, and the bot carries on.
        monkeypatch.setattr(FeedbackStore, "vote", refuse)
        clicked = await w.reporter.click(answered, label="👍 [1]")
        assert clicked.ephemeral and "error id" in clicked.response.content
        assert "No space" not in clicked.response.content


@pytest.mark.parametrize("quotes", [0, 1, 2, 5, 6, 10])
def test_button_layout_fits_discord_for_every_answer_size(quotes):
    from retrieval.feedback import AnswerRecord, QuotedPassage

    from bot.feedback_view import CUSTOM_ID, feedback_view

    record = AnswerRecord("0123456789abcdef", "Q?", "default", quotes > 0,
                          tuple(QuotedPassage(n, "t", "t", (n,), "d", 1) for n in range(1, quotes + 1)), "b", "t")
    rows = feedback_view(record).to_components()
    buttons = [c for row in rows for c in row["components"]]
    assert len(rows) <= 5 and all(len(row["components"]) <= 5 for row in rows)  # Discord's limits
    assert len(buttons) == (quotes + 2 if quotes > 1 else 3 if quotes == 1 else 2)
    ids = [b["custom_id"] for b in buttons]
    assert len(set(ids)) == len(ids) and all(len(i) <= 100 for i in ids)
    import re
    assert all(re.fullmatch(CUSTOM_ID, i) for i in ids)
    # The verdicts about the whole reply have a row of their own, after the thumbs.
    assert [b["label"] for b in rows[-1]["components"]][-1] in ("Should have said no answer", "There is an answer")
