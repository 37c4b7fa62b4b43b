"""Vote buttons under every answer: 👍 (per quote), 👎, and "should have said no answer" / "there is an answer".

The buttons are persistent: each custom_id holds the answer's id in the feedback store and the verdict
(`casebot:fb:<answer id>:<verdict>[:<quote>]`), and the bot registers the button class as a dynamic item
(`bot.add_dynamic_items`, views with `timeout=None`), so a click is understood from the custom_id and the
store alone: buttons keep working after the bot restarts and after any reindex. The vote is acknowledged only
to the clicker (ephemeral), and the clicker is stored only as a salted hash (retrieval.feedback).
"""
from __future__ import annotations

import asyncio
import logging

import discord

from retrieval.feedback import (BAD, GOOD, HAS_ANSWER, SHOULD_ABSTAIN, AnswerRecord, BadVote, FeedbackStore,
                                VoteOutcome, describe_vote, record_reply)
from retrieval.models import AnswerResult

from bot.cogs.errors import log_unexpected, unexpected_error_text
from bot.render_discord import NO_MENTIONS

log = logging.getLogger("casebot.feedback")

CUSTOM_ID = r"casebot:fb:(?P<answer>[0-9a-f]{16}):(?P<verdict>good|bad|should-abstain|has-answer)(?::(?P<n>\d{1,2}))?"
BUTTONS_PER_ROW = 5  # Discord's limit


def custom_id(answer_id: str, verdict: str, n: int | None = None) -> str:
    return f"casebot:fb:{answer_id}:{verdict}" + (f":{n}" if n is not None else "")


def user_key(user: discord.abc.User) -> str:
    return f"discord:{user.id}"


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button], template=CUSTOM_ID):
    def __init__(self, answer_id: str, verdict: str, n: int | None = None, *, label: str = "",
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary, row: int | None = None):
        super().__init__(discord.ui.Button(label=label, style=style, row=row,
                                           custom_id=custom_id(answer_id, verdict, n)))
        self.answer_id = answer_id
        self.verdict = verdict
        self.n = n

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match, /):
        n = match["n"]
        return cls(match["answer"], match["verdict"], int(n) if n else None, label=item.label or "",
                   style=item.style)

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            store = feedback_store(interaction.client)
            try:
                outcome = await asyncio.to_thread(store.vote, self.answer_id, user_key(interaction.user),
                                                  self.verdict, self.n)
            except BadVote as exc:
                await interaction.response.send_message(str(exc), ephemeral=True, allowed_mentions=NO_MENTIONS)
                return
            log.info("feedback on %s by %s: %s%s", self.answer_id, outcome.vote.user_hash[:8], self.verdict,
                     f" [{self.n}]" if self.n else "")
            await interaction.response.send_message(acknowledgement(outcome), ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
        except Exception as exc:  # noqa: BLE001 - discord.py only logs errors of dynamic items; the clicker hears back
            error_id = log_unexpected(exc, f"feedback button for user {interaction.user.id}")
            try:
                if interaction.response.is_done():
                    await interaction.followup.send(unexpected_error_text(error_id), ephemeral=True)
                else:
                    await interaction.response.send_message(unexpected_error_text(error_id), ephemeral=True)
            except discord.HTTPException as send_exc:
                log.warning("could not tell user %s about error %s: %s", interaction.user.id, error_id, send_exc)


def acknowledgement(outcome: VoteOutcome) -> str:
    now = describe_vote(outcome.vote.verdict, outcome.vote.quote)
    if outcome.previous is None:
        return f"Thanks, noted: {now}. Editors turn these votes into test questions. Click another button to change it."
    return f"Changed your vote to: {now}. (One vote per person per answer.)"


def feedback_view(record: AnswerRecord) -> discord.ui.View:
    """The buttons for one reply; `timeout=None` because they never expire."""
    view = discord.ui.View(timeout=None)
    buttons: list[FeedbackButton] = []
    if record.answered:
        if len(record.quotes) == 1:
            buttons.append(FeedbackButton(record.answer_id, GOOD, 1, label="👍 Right quote",
                                          style=discord.ButtonStyle.success))
        else:
            buttons += [FeedbackButton(record.answer_id, GOOD, q.n, label=f"👍 [{q.n}]",
                                       style=discord.ButtonStyle.success) for q in record.quotes]
        buttons.append(FeedbackButton(record.answer_id, BAD, label="👎 Wrong quote"))
        buttons.append(FeedbackButton(record.answer_id, SHOULD_ABSTAIN, label="Should have said no answer"))
    else:
        buttons.append(FeedbackButton(record.answer_id, GOOD, label="👍 Right, no answer",
                                      style=discord.ButtonStyle.success))
        buttons.append(FeedbackButton(record.answer_id, HAS_ANSWER, label="There is an answer"))
    # Thumbs for the quotes fill the first rows; the two verdicts about the whole reply start a row of their own.
    thumbs = len(buttons) - 2
    for i, button in enumerate(buttons):
        button.item.row = i // BUTTONS_PER_ROW if i < thumbs else (thumbs + BUTTONS_PER_ROW - 1) // BUTTONS_PER_ROW
        view.add_item(button)
    return view


def feedback_store(bot) -> FeedbackStore:
    store = getattr(bot, "feedback", None)
    if store is None:
        store = bot.feedback = FeedbackStore(bot.settings.index_dir)
    return store


def _record(bot, result: AnswerResult, engine, case: str | None) -> AnswerRecord:
    return record_reply(feedback_store(bot), engine.index, result, case=case)


async def view_for(bot, result: AnswerResult, engine=None, case: str | None = None) -> discord.ui.View | None:
    """Vote buttons for a reply of `engine` (the case's) about to be sent; None (the reply goes without) if the
    answer cannot be stored. One store for all cases, in the bot's index folder, with the case in each row."""
    try:
        record = await asyncio.to_thread(_record, bot, result, engine or bot.engine, case)
    except Exception as exc:  # noqa: BLE001 - a full disk must not cost the reporter the answer itself
        log.warning("could not store the answer for feedback (%s: %s); sending it without vote buttons",
                    type(exc).__name__, exc)
        return None
    return feedback_view(record)

