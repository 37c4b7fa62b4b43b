"""The Discord bot: the client, its cogs and command sync, and `run_discord`, which `casebot run` calls.

Intents: only non-privileged ones. Discord delivers the text of messages that @mention the bot, and of DMs,
without the privileged Message Content intent, and that is all the mention feature reads; so the bot
starts without anyone ticking a box in the developer portal.

The token is read once from settings, handed to discord.py, and never printed or logged (a log filter
blanks it should any library ever echo it).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable
from typing import TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.case_choice import ChannelCases, bind_cases
from bot.checks import AskLimiter
from bot.cogs.errors import handle_app_command_error
from bot.render_discord import NO_MENTIONS

log = logging.getLogger("casebot.discord")

EXTENSIONS = ("bot.cogs.ask", "bot.cogs.timeline", "bot.cogs.sources", "bot.cogs.admin", "bot.cogs.cases",
              "bot.cogs.feedback")
TOKEN_VARIABLE = "CASEBOT_DISCORD_TOKEN"
EXIT_OK, EXIT_NETWORK, EXIT_CONFIG, EXIT_INDEX = 0, 1, 2, 3

T = TypeVar("T")


class CaseTree(app_commands.CommandTree):
    """The command tree, with casebot's error replies (a method, so test harnesses can wrap it)."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await handle_app_command_error(interaction, error)


def make_intents() -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True  # servers, channels and roles: the admin-role check reads the member's roles
    intents.guild_messages = True  # @casebot mentions in server channels
    intents.dm_messages = True  # questions in direct messages
    return intents


class CaseBot(commands.Bot):
    def __init__(self, settings, engine, *, sync_commands: bool = True):
        super().__init__(
            command_prefix=commands.when_mentioned,  # required by commands.Bot; prefix commands are not used
            intents=make_intents(),
            # The client-wide default: nothing the bot sends may ping anyone, whatever the quoted text holds.
            allowed_mentions=NO_MENTIONS,
            tree_cls=CaseTree,
            help_command=None,
        )
        self.settings = settings
        # One engine (single-case callers and tests) or the registry of every case in the corpus folder.
        self.cases, self.engine = bind_cases(engine, settings)
        self.channel_cases = ChannelCases(settings.index_dir)
        self.sync_commands = sync_commands
        self.ask_limiter = AskLimiter(settings.ask_cooldown_rate, settings.ask_cooldown_seconds)

    async def setup_hook(self) -> None:
        for name in EXTENSIONS:
            await self.load_extension(name)
        if self.sync_commands:
            await self.sync_app_commands()

    async def sync_app_commands(self) -> None:
        """Guild sync (instant) to CASEBOT_GUILD_IDS, else global sync (may take up to an hour to show)."""
        if not self.settings.guild_ids:
            synced = await self.tree.sync()
            log.info("synced %d command(s) globally", len(synced))
            return
        for guild_id in self.settings.guild_ids:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.Forbidden:
                log.warning("could not sync commands to server %s (from CASEBOT_GUILD_IDS): the bot is not in it, "
                            "or was invited without the applications.commands scope", guild_id)
                continue
            log.info("synced %d command(s) to server %s", len(synced), guild_id)

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: mentions are answered by the Ask cog's listener."""

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s (%s), in %d server(s)", self.user, self.user.id if self.user else "?",
                 len(self.guilds))


# -- running ---------------------------------------------------------------------------------------------------
def _err(message: str) -> None:
    print(f"casebot: {message}", file=sys.stderr, flush=True)


class _RedactToken(logging.Filter):
    def __init__(self, token: str):
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg, record.args = message.replace(self._token, "[token hidden]"), ()
        if record.exc_info:
            # A traceback's text is formatted later, by the handler: format it now and redact that too.
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = text.replace(self._token, "[token hidden]"), None
        elif record.exc_text and self._token in record.exc_text:
            record.exc_text = record.exc_text.replace(self._token, "[token hidden]")
        if record.stack_info and self._token in record.stack_info:
            record.stack_info = record.stack_info.replace(self._token, "[token hidden]")
        return True


@contextlib.contextmanager
def _bot_logging(level: str, token: str):
    """The bot's log level and the token filter, for the life of the bot (restored after, e.g. in tests)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    discord_logger = logging.getLogger("discord")
    saved = root.level, discord_logger.level
    root.setLevel(getattr(logging, str(level).upper(), logging.INFO))
    # discord.py's DEBUG output is raw gateway and HTTP traffic: never useful at our INFO, noisy at DEBUG.
    discord_logger.setLevel(max(root.level, logging.INFO))
    redact = _RedactToken(token)
    handlers = list(root.handlers)
    for handler in handlers:
        handler.addFilter(redact)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(redact)
        root.setLevel(saved[0])
        discord_logger.setLevel(saved[1])


async def _unless_stopped(work: Awaitable[T], stop: asyncio.Event) -> tuple[bool, T | None]:
    """Await `work` unless `stop` is set first; (stopped, result)."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task.done():
        return False, task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    return True, None


def _on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            pass


CORPUS_POLL_SECONDS = 10.0  # how often `run` looks again at an empty corpus folder


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds`; True when a stop signal came meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        return False
    return True


async def prepare(settings, engine, stop: asyncio.Event) -> int | None:
    """Folders, model and index, before any connection to Discord: None when ready, else the exit code.

    Missing folders are created; an empty corpus folder (a new volume or bind mount) is waited on, looked at
    again every CORPUS_POLL_SECONDS, with one message saying where to put articles; a stop signal meanwhile
    ends casebot cleanly. Every other problem is reported with the setting to change and ends the start.
    `engine` is one case's engine or the registry of every case (retrieval.cases).
    """
    from retrieval.indexer import NoArticles
    from retrieval.ingest.loader import corpus_stat_fingerprint
    from retrieval.manifest import IndexProblem

    from bot.runner import StartProblem, describe_model_error, load_model, prepare_folders

    try:
        for folder in prepare_folders(settings.corpus_dir, settings.index_dir):
            log.info("created the folder %s", folder)
    except StartProblem as exc:
        _err(str(exc))
        return EXIT_CONFIG
    log.info("loading the model and the index (once, for the whole session)")
    try:
        stopped, _ = await _unless_stopped(asyncio.to_thread(load_model, engine), stop)
    except Exception as exc:  # noqa: BLE001 - any failure to read the model: say which setting, with the cause
        log.debug("loading the model failed", exc_info=True)
        _err(describe_model_error(exc))
        return EXIT_INDEX
    if stopped:
        return EXIT_OK
    told = False
    while True:
        try:
            stopped, summary = await _unless_stopped(asyncio.to_thread(engine.load, build_if_needed=True), stop)
        except NoArticles as exc:
            if not told:
                _err(f"{exc}. Waiting for articles in CASEBOT_CORPUS_DIR ({settings.corpus_dir}), looking again "
                     f"every {CORPUS_POLL_SECONDS:g} s: copy .md, .txt or .html articles into it (README: The "
                     "corpus; `casebot reindex` lists skipped files and why); casebot connects to Discord once "
                     "they are indexed.")
                told = True
            # Indexing is tried again only once the folder changed (names, sizes, times): no log line per look.
            before = corpus_stat_fingerprint(settings.corpus_dir)
            while corpus_stat_fingerprint(settings.corpus_dir) == before:
                if await _stopped_within(stop, CORPUS_POLL_SECONDS):
                    log.info("stop signal received while waiting for articles; exiting")
                    return EXIT_OK
            continue
        except IndexProblem as exc:
            _err(str(exc))
            return EXIT_INDEX
        except FileNotFoundError as exc:
            _err(f"{exc}. Set CASEBOT_CORPUS_DIR to a folder of articles (see README: The corpus).")
            return EXIT_INDEX
        except OSError as exc:
            _err(f"could not build the index in CASEBOT_INDEX_DIR ({settings.index_dir}): {exc}")
            return EXIT_INDEX
        if stopped:
            log.info("stop signal received while loading; exiting")
            return EXIT_OK
        built = summary.items() if isinstance(summary, dict) else [("", summary)]
        for case, one in built:
            if one is not None:
                log.info("there was no index yet%s; built it: %d documents, %d sentences",
                         f" for case {case}" if case else "", one.documents, one.sentences)
        return None


async def serve(settings, token: str, *, engine=None) -> int:
    """Prepare (folders, model, index), then log in and stay connected until a stop signal."""
    from retrieval.cases import CaseRegistry

    engine = engine or CaseRegistry(settings)
    stop = asyncio.Event()
    _on_signals(stop)
    # Everything that can fail without Discord is done before logging in: a broken setup must never connect,
    # fail and reconnect under a restart policy.
    code = await prepare(settings, engine, stop)
    if code is not None:
        return code
    async with CaseBot(settings, engine) as bot:
        try:
            await bot.login(token)
        except discord.LoginFailure:
            _err(f"Discord rejected the bot token in {TOKEN_VARIABLE}. Copy a fresh token from the Discord "
                 "developer portal (your application → Bot → Reset Token) and set it again.")
            return EXIT_CONFIG
        except (discord.HTTPException, OSError) as exc:
            _err(f"could not reach Discord to log in ({type(exc).__name__}); check the network and try again.")
            return EXIT_NETWORK
        try:
            stopped, _ = await _unless_stopped(bot.connect(reconnect=True), stop)
        except discord.PrivilegedIntentsRequired:  # casebot asks for none; kept for a future intent
            _err("Discord refused a privileged intent; enable it under Bot → Privileged Gateway Intents in the "
                 "developer portal.")
            return EXIT_CONFIG
        except discord.LoginFailure:
            _err(f"Discord rejected the bot token in {TOKEN_VARIABLE}.")
            return EXIT_CONFIG
        if stopped:
            log.info("stop signal received; closing the Discord connection")
    return EXIT_OK


def run_discord(settings) -> int:
    """Start the bot and block until it stops; returns the process exit code."""
    secret = settings.discord_token
    token = secret.get_secret_value().strip() if secret is not None else ""
    if not token:
        _err(f"no Discord token: set {TOKEN_VARIABLE} to run the bot, or use `casebot console` to use the same "
             "commands locally.")
        return EXIT_CONFIG
    with _bot_logging(settings.log_level, token):
        try:
            return asyncio.run(serve(settings, token))
        except KeyboardInterrupt:
            return 130
