"""Driving casebot's real discord.py bot in-process with simcord, and checking what it sends.

simcord replaces discord.py's HTTP client and gateway with an in-memory Discord: gateway-shaped
INTERACTION_CREATE / MESSAGE_CREATE payloads go in, real `discord.Interaction` objects reach the real
CommandTree and cogs, and every REST call the bot makes is recorded (`env.http_requests`) and validated
against Discord's limits. Nothing leaves the process.
"""
from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import simcord
from simcord import interactions as sc_interactions
from simcord.actors import _resolve_visible_command
from simcord.enums import AppCommandType, InteractionType
from simcord.results import InteractionResult

from bot.discord_app import CaseBot

SETTLE_TIMEOUT = 60.0  # the first embedding of a synthetic corpus can take a while on a busy machine

# REST calls that carry message content, and where the message body sits in their JSON.
MESSAGE_ROUTES = (
    ("POST", "/channels/*/messages"),
    ("PATCH", "/channels/*/messages/*"),
    ("POST", "/webhooks/*/*"),
    ("PATCH", "/webhooks/*/*/messages/*"),
    ("POST", "/interactions/*/*/callback"),
)


@dataclass
class World:
    env: simcord.Env
    bot: CaseBot
    guild: Any
    channel: Any
    admin: Any  # has an "Editors" role with Manage Server
    reporter: Any
    colleague: Any
    errors_read: int = 0

    @property
    def bot_mention(self) -> str:
        return f"<@{self.bot.user.id}>"

    def take_errors(self) -> list[BaseException]:
        """Errors the bot raised (and handled) since the last call; any left unread fails the test."""
        errors = list(self.env.errors_since(self.errors_read))
        self.errors_read = self.env.error_cursor
        return errors


@contextlib.asynccontextmanager
async def running_bot(engine, settings=None, *, guild_id: int | None = None, **env_options):
    """The real CaseBot on simcord, logged in and READY, in a server with three members.

    Errors the bot raised are recorded by simcord (the tree's error handler is wrapped); a test that
    expects some reads them with `world.take_errors()`, and any error nobody read fails the test here.
    """
    bot = CaseBot(settings or engine.settings, engine)
    env_options.setdefault("settle_timeout", SETTLE_TIMEOUT)
    env = simcord.Env(bot, **env_options)
    # The server exists before the bot logs in, so a sync to CASEBOT_GUILD_IDS finds it, as in production.
    guild = env.create_guild("Newsroom", id=guild_id)
    await env.start()
    world = None
    try:
        with env.time_context():
            channel = guild.create_text_channel("case-desk")
            editors = guild.create_role("Editors", permissions=discord.Permissions(manage_guild=True))
            admin = guild.add_member(env.create_user("edith"), roles=[editors])
            reporter = guild.add_member(env.create_user("rita"))
            colleague = guild.add_member(env.create_user("carl"))
            world = World(env, bot, guild, channel, admin, reporter, colleague)
            yield world
    finally:
        await env.shutdown()
    leftover = env.errors_since(world.errors_read if world else 0)
    if leftover:
        raise ExceptionGroup("the bot raised errors the test did not expect", list(leftover))


def dispatch_slash_nowait(env: simcord.Env, actor, channel, name: str, **options) -> InteractionResult:
    """Deliver a slash command the way `actor.slash` does, but without waiting for the bot to finish.

    simcord's actor verbs settle (wait for all bot work) before returning, which is what most tests want; to
    show that /ask is answered *while* a reindex is still running, the reindex must be left running.
    """
    root = _resolve_visible_command(actor, channel.id, name, AppCommandType.CHAT_INPUT)
    leaf, nesting = sc_interactions.walk_to_subcommand(root, [])
    leaf_options, resolved = sc_interactions.build_options(actor, name, leaf, options, channel_id=channel.id)
    data: dict[str, Any] = {
        "id": root["id"], "name": root["name"], "type": root.get("type", AppCommandType.CHAT_INPUT),
        "options": sc_interactions.nest_options(root, nesting, leaf_options),
    }
    if resolved:
        data["resolved"] = resolved
    record, payload = sc_interactions.base_payload(
        env.backend, type=InteractionType.APPLICATION_COMMAND, channel_id=channel.id, guild_id=actor.guild.id,
        user_id=actor.id, data=data)
    env.backend.emit("INTERACTION_CREATE", payload)
    return InteractionResult(env, record)


async def wait_until(predicate, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


# -- what was sent -------------------------------------------------------------------------------------------
def message_bodies(env: simcord.Env) -> list[tuple[str, str, dict]]:
    """(method, path, message body) for every REST call that sent or edited a message."""
    out = []
    for req in env.http_requests:
        if not isinstance(req.json, dict):
            continue
        for method, pattern in MESSAGE_ROUTES:
            if req.method == method and fnmatch.fnmatch(req.path, pattern):
                body = req.json.get("data") if pattern.endswith("callback") else req.json
                if body is not None:
                    out.append((req.method, req.path, body))
                break
    return out


def limit_problems(body: dict) -> list[str]:
    """Discord's documented limits for one message body (content, embeds)."""
    problems = []
    content = body.get("content")
    if content is not None and len(content) > 2000:
        problems.append(f"content has {len(content)} characters")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        problems.append(f"{len(embeds)} embeds")
    total = 0
    for e in embeds:
        parts = {"title": (e.get("title"), 256), "description": (e.get("description"), 4096),
                 "footer": ((e.get("footer") or {}).get("text"), 2048),
                 "author": ((e.get("author") or {}).get("name"), 256)}
        fields = e.get("fields") or []
        if len(fields) > 25:
            problems.append(f"{len(fields)} fields")
        for i, f in enumerate(fields):
            parts[f"field {i} name"] = (f.get("name"), 256)
            parts[f"field {i} value"] = (f.get("value"), 1024)
        for name, (text, limit) in parts.items():
            if text is None:
                continue
            total += len(text)
            if len(text) > limit:
                problems.append(f"embed {name} has {len(text)} characters (limit {limit})")
    if total > 6000:
        problems.append(f"embeds total {total} characters")
    return problems


def pings_nobody(body: dict) -> bool:
    """allowed_mentions that let no @everyone/@here, role or user mention notify anyone."""
    allowed = body.get("allowed_mentions")
    if not isinstance(allowed, dict):
        return False
    return (not allowed.get("parse") and not allowed.get("users") and not allowed.get("roles")
            and not allowed.get("replied_user"))


def stored_messages(env: simcord.Env) -> list:
    """Every message simcord's Discord holds, with the pings it computed for it."""
    return [m for channel in env.backend.messages.values() for m in channel.values()]


def all_text(result: InteractionResult) -> str:
    """Everything the user sees in answer to an interaction: response and followups, content and embeds."""
    parts = []
    for message in ([result.response] if result.response else []) + result.followups:
        parts.append(message.content)
        for embed in message.embeds:
            parts.extend(filter(None, [embed.title, embed.description, embed.footer.text if embed.footer else None]))
    return "\n".join(parts)


# -- a long synthetic corpus -----------------------------------------------------------------------------------
MENTIONS = "@everyone <@&123> <@456> @here"
SYNDICATED = ("Prosecutors said Musk must appear before the investigating judges in Paris in April, and the "
              f"newsroom alert that reached {MENTIONS} said the summons to appear was confirmed.")
FILLER = ("with the prosecutors repeating that the summons for Musk to appear in April stands, that the "
          "hearing on the algorithms of X and on the Grok images will go ahead, and that the company's lawyers "
          "have been told where and when the executives must appear")


def _unique_sentence(k: int, day: int) -> str:
    # Long, comma-joined sentences (no full stop inside) make quotes longer than one Discord message.
    repeats = 14 if k == 0 else 2
    body = ", ".join([FILLER] * repeats)
    return f"On {day} March 2026, prosecutors said Musk must appear in April, {body}, update {k}."


def write_long_corpus(folder: Path, articles: int = 30, unique: int = 12) -> list[str]:
    """`articles` articles sharing one syndicated sentence, plus `unique` long dated sentences.

    Few distinct sentences keep the embedding cheap; many outlets per sentence make long "also:" lists.
    Returns the distinct sentences.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sentences = [SYNDICATED]
    for i in range(articles):
        k = i % unique
        text = _unique_sentence(k, k + 1)
        if i < unique:
            sentences.append(text)
        front = (f"---\ntitle: 'Musk summons, part {i}: prosecutors [Paris] *update* {MENTIONS}'\n"
                 f"source: Outlet {i:02d} News\nurl: https://news{i:02d}.example.org/2026/03/musk-summons-{i}\n"
                 f"published: '2026-03-{(i % 28) + 1:02d}'\n---\n\n")
        (folder / f"outlet{i:02d}-musk-summons.md").write_text(front + SYNDICATED + "\n\n" + text + "\n",
                                                              encoding="utf-8")
    return sentences


# -- Discord failing at the HTTP boundary (send-failure and security tests) ---------------------------------------
from simcord.types import HttpLogEntry  # noqa: E402 - kept with the helpers that use it


class _StatusError(simcord.BackendError):
    """An error answer from simcord's Discord; a 429 carries `retry_after` in its body, as Discord's does."""

    def __init__(self, status: int, retry_after: float | None):
        message = "You are being rate limited." if status == 429 else f"{status} error (injected by test)"
        super().__init__(status, 0, message)
        self.retry_after = retry_after

    def to_json(self) -> dict:
        data = super().to_json()
        if self.retry_after is not None:
            data.update(retry_after=self.retry_after, **{"global": False})
        return data


@dataclass
class _FaultRule:
    method: str
    pattern: str
    status: int
    skip: int
    times: int | None
    retry_after: float | None


class HttpFaults:
    """Make simcord's Discord answer chosen REST calls with an HTTP error status (429, 5xx, …).

    Like `env.inject_error`, but a rule can let the first `skip` matching calls through (to fail, say, the
    second follow-up of an answer), and a 429 carries `retry_after`. The error reaches the bot the way
    discord.py raises it once its own retries are spent: a `discord.HTTPException` (or subclass) with that
    status. discord.py's own retry of 429s and 5xx is exercised separately, against a fake API on 127.0.0.1
    (tests/test_discord_send_failures.py). Every failed call is kept in `failed` as (method, path, status).
    """

    def __init__(self, monkeypatch):
        from simcord.http import router

        self.rules: list[_FaultRule] = []
        self.failed: list[tuple[str, str, int]] = []
        original = router.dispatch

        def dispatch(backend, method, path, **kwargs):
            for rule in self.rules:
                if rule.method not in (method, "*") or not fnmatch.fnmatch(path, rule.pattern):
                    continue
                if rule.skip > 0:
                    rule.skip -= 1
                    break
                if rule.times is not None:
                    if rule.times <= 0:
                        continue
                    rule.times -= 1
                self.failed.append((method, path, rule.status))
                backend.http_requests.append(HttpLogEntry(method, path, dict(kwargs.get("params") or {}),
                                                          kwargs.get("json"), kwargs.get("reason")))
                raise _StatusError(rule.status, rule.retry_after)
            return original(backend, method, path, **kwargs)

        monkeypatch.setattr(router, "dispatch", dispatch)

    def add(self, method: str, pattern: str, status: int, *, times: int | None = 1, skip: int = 0,
            retry_after: float | None = None) -> "HttpFaults":
        if status == 429 and retry_after is None:
            retry_after = 2.5
        self.rules.append(_FaultRule(method, pattern, status, skip, times, retry_after))
        return self

    def clear(self) -> None:
        self.rules.clear()


# Where the bot's messages go, as REST routes (fnmatch patterns), for HttpFaults.
INTERACTION_CALLBACK = ("POST", "/interactions/*/*/callback")  # first response, defer, button page turn
FOLLOWUP = ("POST", "/webhooks/*/*")  # an interaction's follow-up messages (the answer itself)
EDIT_ORIGINAL = ("PATCH", "/webhooks/*/*/messages/@original")  # replacing "thinking…", reindex progress
CHANNEL_MESSAGE = ("POST", "/channels/*/messages")  # mention replies, the reindex summary fallback
TYPING = ("POST", "/channels/*/typing")


def dispatch_slash_raw(env: simcord.Env, user_id: int, channel_id: int, name: str, *,
                       guild_id: int | None = None, options: list[dict] | None = None) -> InteractionResult:
    """Deliver a slash command payload *without* simcord's visibility checks, as a modified client or a
    forged request could: the bot's own checks are all that stands in the way. Does not wait."""
    root = env.backend.find_command(name, guild_id, type=AppCommandType.CHAT_INPUT) or \
        env.backend.find_command(name, None, type=AppCommandType.CHAT_INPUT)
    if root is None:
        raise simcord.SetupError(f"no synced command named {name!r}")
    data: dict[str, Any] = {"id": root["id"], "name": root["name"], "type": AppCommandType.CHAT_INPUT,
                            "options": options or []}
    record, payload = sc_interactions.base_payload(
        env.backend, type=InteractionType.APPLICATION_COMMAND, channel_id=channel_id, guild_id=guild_id,
        user_id=user_id, data=data)
    env.backend.emit("INTERACTION_CREATE", payload)
    return InteractionResult(env, record)


def bot_messages(env: simcord.Env) -> list:
    """Every message the bot has in simcord's Discord (channel, DM, ephemeral and interaction messages)."""
    return [m for m in stored_messages(env) if m.author_id == env.bot.user.id]
