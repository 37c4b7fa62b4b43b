"""Which case a Discord command works on: the `case` option, else the channel's default (set by an admin with
`/case set`, kept in SQLite beside the indexes so it survives restarts), else the only case, else the user is
asked to choose (with the list of cases). Also the autocompletes for cases and for a case's articles."""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

import discord
from discord import app_commands

from retrieval.cases import CaseProblem, CaseRegistry

from bot.cogs.errors import UserFacingError

log = logging.getLogger("casebot.cases")

CHANNELS_DB = "channel-cases.sqlite"
MAX_CHOICES = 25  # Discord's limit for autocomplete
CHOICE_CHARS = 100  # Discord's limit for a choice's name and value


def bind_cases(engine, settings) -> tuple[CaseRegistry, object | None]:
    """(registry, engine of the only case or None): a bot may be handed one engine or the whole registry."""
    if isinstance(engine, CaseRegistry):
        names = engine.names()
        return engine, engine.engine(names[0]) if len(names) == 1 else None
    return CaseRegistry.single(engine), engine


class ChannelCases:
    """channel id → default case, in INDEX_DIR/channel-cases.sqlite (made on first write)."""

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / CHANNELS_DB
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("CREATE TABLE IF NOT EXISTS channel_case (channel_id INTEGER PRIMARY KEY, guild_id INTEGER, "
                   "case_name TEXT NOT NULL, set_by INTEGER, set_at REAL)")
        return db

    def get(self, channel_id: int | None) -> str | None:
        if channel_id is None or not self.path.is_file():
            return None
        with self._lock:
            db = self._connect()
            try:
                row = db.execute("SELECT case_name FROM channel_case WHERE channel_id = ?", (channel_id,)).fetchone()
            finally:
                db.close()
        return row[0] if row else None

    def set(self, channel_id: int, guild_id: int | None, case: str, set_by: int) -> None:
        with self._lock:
            db = self._connect()
            try:
                with db:
                    db.execute("INSERT OR REPLACE INTO channel_case VALUES (?, ?, ?, ?, ?)",
                               (channel_id, guild_id, case, set_by, time.time()))
            finally:
                db.close()


def choose(bot, interaction_or_channel_id, case: str | None, *, need_index: bool = True):
    """(case name, engine) for a command; UserFacingError (private, lists the cases) when it takes a choice,
    or, with `need_index`, when the case has no index yet (a new, empty case folder)."""
    from retrieval.manifest import IndexProblem

    channel_id = getattr(interaction_or_channel_id, "channel_id", interaction_or_channel_id)
    bot.cases.refresh()
    try:
        name, engine = bot.cases.resolve(case, bot.channel_cases.get(channel_id))
    except CaseProblem as exc:
        text = str(exc)
        hint = " Name one with the case option." if text.startswith("which case") else ""
        raise UserFacingError(text[0].upper() + text[1:] + "." + hint) from None
    if need_index:
        try:
            engine.index
        except IndexProblem:
            raise UserFacingError(f"Case {name} has no articles indexed yet; an admin can add one with /add.") \
                from None
    return name, engine


def _fit(text: str) -> str:
    return text if len(text) <= CHOICE_CHARS else text[: CHOICE_CHARS - 1] + "…"


async def case_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    bot = interaction.client
    bot.cases.refresh()
    typed = (current or "").lower()
    choices = []
    for info in bot.cases.cases:
        if typed in info.name or typed in info.title.lower():
            label = info.name if info.title == info.name else f"{info.title} ({info.name})"
            choices.append(app_commands.Choice(name=_fit(label), value=info.name))
    return choices[:MAX_CHOICES]


async def article_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The chosen case's articles (by title, outlet, date or id); nothing when the case is not yet known."""
    import asyncio

    bot = interaction.client
    case = getattr(interaction.namespace, "case", None)
    try:
        _, engine = bot.cases.resolve(case, bot.channel_cases.get(interaction.channel_id))
        sources = await asyncio.to_thread(engine.sources)
    except Exception as exc:  # noqa: BLE001 - no case chosen yet, or no index: offer nothing
        log.debug("article autocomplete: %s", exc)
        return []
    typed = (current or "").lower()
    choices = []
    for s in sources:
        label = f"{s.title} — {s.source}, {s.published or 'undated'}"
        if typed in label.lower() or typed in s.doc_id.lower():
            if len(s.doc_id) <= CHOICE_CHARS:  # an id Discord cannot carry is removed with the CLI
                choices.append(app_commands.Choice(name=_fit(label), value=s.doc_id))
    return choices[:MAX_CHOICES]
