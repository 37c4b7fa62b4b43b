"""What users see when a command fails, and what the log keeps.

Expected failures (a bad question or date, the cooldown, missing permission) get a short, polite ephemeral
reason. Anything else gets an error id: the user sees the id, the log has the traceback under the same id,
so an admin can find it from a screenshot.
"""
from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

from retrieval.question import BadQuestion

from bot.checks import NotCaseAdmin
from bot.render_discord import NO_MENTIONS

log = logging.getLogger("casebot.errors")


class UserFacingError(app_commands.AppCommandError):
    """A failure whose message is written for the user (e.g. a date option that is not a date)."""


def new_error_id() -> str:
    return secrets.token_hex(4)


def unexpected_error_text(error_id: str) -> str:
    return (f"Sorry, something went wrong on our side (error id `{error_id}`). Please try again; if it keeps "
            "happening, give this id to whoever runs casebot.")


def log_unexpected(error: BaseException, what: str) -> str:
    """Log the traceback under a fresh error id and return the id."""
    error_id = new_error_id()
    log.error("error id %s: %s failed", error_id, what, exc_info=(type(error), error, error.__traceback__))
    return error_id


async def tell(interaction: discord.Interaction, text: str) -> None:
    """Send `text` to the user who ran the command, privately whenever Discord allows it.

    Before any response it is an ephemeral reply. After a public `defer()`, Discord has already fixed the
    visibility of the "thinking…" message, so the reason replaces that message (a followup would be
    public anyway); after a complete answer, it is an ephemeral followup.
    """
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        elif interaction.extras.get("thinking"):
            interaction.extras["thinking"] = False
            await interaction.edit_original_response(content=text, embed=None, view=None,
                                                     allowed_mentions=NO_MENTIONS)
        else:
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:  # the interaction may have expired; the log still has the reason
        log.warning("could not tell %s about an error: %s", interaction.user.id, exc)


def describe(error: app_commands.AppCommandError) -> str | None:
    """The user-facing text for an expected failure, None for an unexpected one."""
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, BadQuestion):
        return str(error.original)
    if isinstance(error, app_commands.CommandOnCooldown):
        seconds = max(1, round(error.retry_after))
        return (f"You're asking faster than casebot allows (a few questions every "
                f"{error.cooldown.per:g} seconds). Please try again in {seconds} second"
                f"{'' if seconds == 1 else 's'}.")
    if isinstance(error, (NotCaseAdmin, UserFacingError)):
        return str(error)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server channel."
    if isinstance(error, app_commands.TransformerError):
        return f"Could not read “{error.value}” for that option. Please check it and try again."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    if isinstance(error, app_commands.CommandNotFound):
        return "casebot doesn't know that command any more; it may have been renamed. Try typing / again."
    return None


async def handle_app_command_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    command = interaction.command.qualified_name if interaction.command else "?"
    text = describe(error)
    if text is None:
        cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        error_id = log_unexpected(cause, f"/{command} for user {interaction.user.id}")
        text = unexpected_error_text(error_id)
    else:
        log.info("/%s refused for user %s: %s", command, interaction.user.id, type(error).__name__)
    await tell(interaction, text)


async def think(interaction: discord.Interaction) -> None:
    """Acknowledge now (Discord allows 3 seconds) and show "casebot is thinking…" until the answer is sent."""
    await interaction.response.defer(thinking=True)
    interaction.extras["thinking"] = True  # until the first followup replaces it; see tell()
