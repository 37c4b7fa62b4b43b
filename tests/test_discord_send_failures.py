"""Discord refusing the bot's messages: HTTP 429 and 5xx at the HTTP boundary.

Two layers, because discord.py itself retries some failures before the bot ever sees them:

1. **What reaches the bot** (simcord): simcord's Discord answers chosen REST calls with 429 (with `retry_after`),
   500 or 503 (`HttpFaults`), i.e. the `discord.HTTPException` discord.py raises once its own retries are spent.
   Swept over every way the bot sends: the acknowledgement, the answer follow-ups, the "thinking…" edit, page
   buttons, /timeline and /sources pages, /reindex progress and summary, cooldown notes, mention replies and
   the typing indicator.
2. **discord.py's real HTTP stack** (aiohttp, its webhook adapter and retry logic) against a fake Discord API on
   127.0.0.1 that answers 429 with `retry_after` (and Discord's `Via` header) or 5xx: a transient failure is
   retried and the answer arrives; a persistent one ends in an error the bot reports.

Each time: the bot stays up (the next question is answered), an unexpected failure is logged with an error id
and its traceback, and the user is told whenever Discord still accepts a message.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from dataclasses import replace

import discord
import pytest
from aiohttp import web

from bot.discord_app import CaseBot
from tests.conftest import make_settings
from tests.discord_helpers import (CHANNEL_MESSAGE, EDIT_ORIGINAL, FOLLOWUP, INTERACTION_CALLBACK, TYPING,
                                   HttpFaults, all_text, running_bot)
from tests.test_discord_conversation import LongTimelineEngine
from tests.test_discord_reindex import ChattyEngine, CountingEngine
from tests.test_discord_startup import APPLICATION, BOT_USER, FakeDiscordAPI

MUSK_QUOTE = "summoned by prosecutors to appear in April"
QUESTION = "When must Musk appear?"
ERROR_ID = re.compile(r"error id `([0-9a-f]{8})`")
STATUSES = [429, 500, 503]

CHECKED: dict[str, int] = {"scenarios": 0, "failed_calls": 0}


def _count(faults: HttpFaults) -> None:
    CHECKED["scenarios"] += 1
    CHECKED["failed_calls"] += len(faults.failed)


def error_id_in(text: str) -> str:
    match = ERROR_ID.search(text)
    assert match, f"no error id in {text!r}"
    return match.group(1)


def assert_logged_with_traceback(caplog, error_id: str, exc_type: type[BaseException] = discord.HTTPException):
    """The error id the user saw is in the log, at ERROR, with the exception's traceback."""
    records = [r for r in caplog.records if error_id in r.getMessage()]
    assert records, f"error id {error_id} is not in the log"
    record = records[0]
    assert record.levelno >= logging.ERROR
    assert record.exc_info and issubclass(record.exc_info[0], exc_type), record.exc_info
    formatted = logging.Formatter().format(record)
    assert "Traceback (most recent call last)" in formatted and exc_type.__name__ in formatted


async def assert_still_answers(w) -> None:
    again = await w.colleague.slash(w.channel, "ask", question=QUESTION)
    assert MUSK_QUOTE in all_text(again)


class LongAnswerEngine:
    """The real engine; its first quote repeated so that the answer takes two Discord messages."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    @property
    def reindex_running(self):
        return self._inner.reindex_running

    def ask(self, question, k=None):
        result = self._inner.ask(question, k)
        first = result.answers[0]
        return replace(result, answers=(replace(first, text=" ".join([first.text] * 16)),))


# -- 1. what reaches the bot: each send path, each status (simcord) --------------------------------------------
@pytest.mark.parametrize("status", STATUSES)
async def test_refused_answer_becomes_an_error_id_in_the_thinking_message(bundled_engine, monkeypatch, caplog,
                                                                          status):
    caplog.set_level(logging.INFO)
    faults = HttpFaults(monkeypatch)
    async with running_bot(bundled_engine) as w:
        faults.add(*FOLLOWUP, status)
        result = await w.reporter.slash(w.channel, "ask", question=QUESTION)
        assert faults.failed == [("POST", faults.failed[0][1], status)]
        # The "thinking…" message (public, as Discord fixed it at the defer) now carries the error id.
        error_id = error_id_in(result.response.content)
        assert not result.deferred and MUSK_QUOTE not in all_text(result)
        [error] = w.take_errors()
        assert isinstance(error.original, discord.HTTPException) and error.original.status == status
        assert_logged_with_traceback(caplog, error_id)
        await assert_still_answers(w)
    _count(faults)


@pytest.mark.parametrize("status", STATUSES)
async def test_refused_acknowledgement_is_explained_privately(bundled_engine, monkeypatch, caplog, status):
    caplog.set_level(logging.INFO)
    faults = HttpFaults(monkeypatch)
    async with running_bot(bundled_engine) as w:
        faults.add(*INTERACTION_CALLBACK, status)  # the defer ("thinking…") is refused
        result = await w.reporter.slash(w.channel, "ask", question=QUESTION)
        assert result.ephemeral
        error_id = error_id_in(result.response.content)
        [error] = w.take_errors()
        assert error.original.status == status
        assert_logged_with_traceback(caplog, error_id)
        await assert_still_answers(w)
    _count(faults)


async def test_refused_second_part_of_a_long_answer_is_followed_by_a_private_error_id(bundled_engine, monkeypatch,
                                                                                      caplog):
    caplog.set_level(logging.INFO)
    faults = HttpFaults(monkeypatch)
    async with running_bot(LongAnswerEngine(bundled_engine), bundled_engine.settings) as w:
        faults.add(*FOLLOWUP, 503, skip=1)  # the first part goes through, the second is refused
        result = await w.reporter.slash(w.channel, "ask", question=QUESTION)
        assert MUSK_QUOTE in result.response.content  # part one replaced "thinking…"
        [note] = result.followups
        assert note.ephemeral
        error_id = error_id_in(note.content)
        w.take_errors()
        assert_logged_with_traceback(caplog, error_id)
        await assert_still_answers(w)
    _count(faults)


@pytest.mark.parametrize("status", [429, 503])
async def test_when_nothing_can_be_sent_the_log_keeps_it_and_the_bot_stays_up(bundled_engine, monkeypatch, caplog,
                                                                              status):
    caplog.set_level(logging.INFO)
    faults = HttpFaults(monkeypatch)
    async with running_bot(bundled_engine) as w:
        for route in (INTERACTION_CALLBACK, FOLLOWUP, EDIT_ORIGINAL):
            faults.add(*route, status, times=None)
        result = await w.reporter.slash(w.channel, "ask", question=QUESTION)
        assert result.response is None and not result.acknowledged  # Discord took nothing: no one to tell
        w.take_errors()
        [record] = [r for r in caplog.records if r.name == "casebot.errors" and r.levelno == logging.ERROR]
        error_id = re.search(r"error id ([0-9a-f]{8})", record.getMessage()).group(1)
        assert_logged_with_traceback(caplog, error_id)
        assert any("could not tell" in r.getMessage() for r in caplog.records)
        faults.clear()  # Discord recovers
        await assert_still_answers(w)
    _count(faults)


@pytest.mark.parametrize("command", ["timeline", "sources"])
async def test_refused_pages_become_an_error_id(bundled_engine, monkeypatch, caplog, command):
    caplog.set_level(logging.INFO)
    faults = HttpFaults(monkeypatch)
    engine = LongTimelineEngine(bundled_engine)  # /timeline on four pages or more, with buttons
    async with running_bot(engine, bundled_engine.settings) as w:
        faults.add(*FOLLOWUP, 503)
        result = await w.reporter.slash(w.channel, command)
        error_id = error_id_in(result.response.content)
        assert not result.response.embeds
        w.take_errors()
        assert_logged_with_traceback(caplog, error_id)
        shown = await w.reporter.slash(w.channel, command)
        assert shown.response.embeds
    _count(faults)


@pytest.mark.parametrize("status", STATUSES)
async def test_refused_page_turn_is_explained_privately(bundled_engine, monkeypatch, caplog, status):
    caplog.set_level(logging.INFO)
    faults = HttpFaults(monkeypatch)
    async with running_bot(LongTimelineEngine(bundled_engine), bundled_engine.settings) as w:
        result = await w.reporter.slash(w.channel, "timeline")
        assert result.response.embeds[0].footer.text.startswith("Page 1/")
        faults.add(*INTERACTION_CALLBACK, status)
        turned = await w.reporter.click(result.response, label="Next ▶")
        assert turned.ephemeral
        error_id = error_id_in(turned.response.content)
        assert_logged_with_traceback(caplog, error_id)
        [error] = w.take_errors()  # what the view's error handler handled
        assert isinstance(error, discord.HTTPException) and error.status == status
        # The page did not move; the next click still turns a page.
        assert result.response.embeds[0].footer.text.startswith("Page 1/")
        await w.reporter.click(result.response, label="Next ▶")
        assert not result.response.embeds[0].footer.text.startswith("Page 1/")
    _count(faults)


async def test_refused_page_turn_does_not_skip_a_page(bundled_engine, monkeypatch):
    faults = HttpFaults(monkeypatch)
    async with running_bot(LongTimelineEngine(bundled_engine), bundled_engine.settings) as w:
        result = await w.reporter.slash(w.channel, "timeline")
        faults.add(*INTERACTION_CALLBACK, 503)
        await w.reporter.click(result.response, label="Next ▶")  # refused: the user still sees page 1
        w.take_errors()
        await w.reporter.click(result.response, label="Next ▶")
        assert result.response.embeds[0].footer.text.startswith("Page 2/")


async def _page_turn_when_nothing_can_be_sent(bundled_engine, monkeypatch, caplog) -> tuple[list, HttpFaults]:
    """Every interaction response refused while the asker turns a page; then Discord recovers.
    Returns the errors that escaped the bot's handlers (simcord reports them when the bot shuts down)."""
    faults = HttpFaults(monkeypatch)
    try:
        async with running_bot(LongTimelineEngine(bundled_engine), bundled_engine.settings) as w:
            result = await w.reporter.slash(w.channel, "timeline")
            faults.add(*INTERACTION_CALLBACK, 503, times=None)
            turned = await w.reporter.click(result.response, label="Next ▶")
            assert turned.response is None
            [handled] = w.take_errors()  # given to the view's error handler
            assert isinstance(handled, discord.HTTPException)
            [record] = [r for r in caplog.records if r.name == "casebot.errors" and "page button" in r.getMessage()]
            assert record.exc_info and issubclass(record.exc_info[0], discord.HTTPException)
            faults.clear()
            await w.reporter.click(result.response, label="Next ▶")  # the bot is up, the buttons still work
            assert not result.response.embeds[0].footer.text.startswith("Page 1/")
    except ExceptionGroup as group:
        return list(group.exceptions), faults
    return [], faults


async def test_page_turn_when_nothing_can_be_sent_is_logged_and_the_bot_stays_up(bundled_engine, monkeypatch,
                                                                                 caplog):
    caplog.set_level(logging.INFO)
    escaped, faults = await _page_turn_when_nothing_can_be_sent(bundled_engine, monkeypatch, caplog)
    # Not even the refused error reply escapes; no crash.
    assert escaped == [], escaped
    _count(faults)


async def test_page_turn_error_reply_that_discord_refuses_does_not_escape(bundled_engine, monkeypatch, caplog):
    escaped, _ = await _page_turn_when_nothing_can_be_sent(bundled_engine, monkeypatch, caplog)
    assert escaped == []


@pytest.mark.parametrize("status", STATUSES)
async def test_refused_mention_reply_is_sent_as_a_plain_message(bundled_engine, monkeypatch, caplog, status):
    faults = HttpFaults(monkeypatch)
    async with running_bot(bundled_engine) as w:
        faults.add(*CHANNEL_MESSAGE, status)  # the reply (with its reference) is refused once
        await w.reporter.send(w.channel, f"{w.bot_mention} when must Musk appear?")
        answer = w.channel.last_message
        assert answer.author.id == w.bot.user.id and MUSK_QUOTE in answer.content
        assert answer.reference is None
    _count(faults)


@pytest.mark.parametrize("status", STATUSES)
async def test_refused_mention_answer_becomes_an_error_id_reply(bundled_engine, monkeypatch, caplog, status):
    caplog.set_level(logging.INFO)
    faults = HttpFaults(monkeypatch)
    async with running_bot(bundled_engine) as w:
        faults.add(*CHANNEL_MESSAGE, status, times=2)  # the reply and its plain fallback are both refused
        await w.reporter.send(w.channel, f"{w.bot_mention} when must Musk appear?")
        note = w.channel.last_message
        assert note.author.id == w.bot.user.id
        assert_logged_with_traceback(caplog, error_id_in(note.content))
        await w.reporter.send(w.channel, f"{w.bot_mention} when must Musk appear?")
        assert MUSK_QUOTE in w.channel.last_message.content
    _count(faults)


async def test_mention_when_nothing_can_be_sent_the_bot_stays_up(bundled_engine, monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    faults = HttpFaults(monkeypatch)
    async with running_bot(bundled_engine) as w:
        faults.add(*CHANNEL_MESSAGE, 503, times=None)
        await w.reporter.send(w.channel, f"{w.bot_mention} when must Musk appear?")
        assert w.channel.last_message.author.id == w.reporter.id
        [record] = [r for r in caplog.records if r.name == "casebot.errors"]
        assert record.exc_info and issubclass(record.exc_info[0], discord.HTTPException)
        faults.clear()
        await w.reporter.send(w.channel, f"{w.bot_mention} when must Musk appear?")
        assert MUSK_QUOTE in w.channel.last_message.content
    _count(faults)


async def test_refused_typing_indicator_does_not_cost_the_answer(bundled_engine, monkeypatch, caplog):
    """The typing indicator is refused (a 503, which discord.py does not retry for REST calls): it is only a
    courtesy, so the asker still gets the answer."""
    caplog.set_level(logging.INFO)
    faults = HttpFaults(monkeypatch)
    async with running_bot(bundled_engine) as w:
        faults.add(*TYPING, 503)
        await w.reporter.send(w.channel, f"{w.bot_mention} when must Musk appear?")
        assert MUSK_QUOTE in w.channel.last_message.content
        await w.reporter.send(w.channel, f"{w.bot_mention} when must Musk appear?")
        assert MUSK_QUOTE in w.channel.last_message.content
    _count(faults)


@pytest.mark.parametrize("status", STATUSES)
async def test_refused_reindex_progress_message_is_explained_and_reindex_can_run_again(bundled_engine, monkeypatch,
                                                                                       caplog, status):
    caplog.set_level(logging.INFO)
    from retrieval.models import ReindexSummary

    engine = CountingEngine(bundled_engine, fake_summary=ReindexSummary(documents=1, sentences=17, rebuilt=False))
    faults = HttpFaults(monkeypatch)
    async with running_bot(engine, bundled_engine.settings) as w:
        faults.add(*INTERACTION_CALLBACK, status)
        refused = await w.admin.slash(w.channel, "reindex")
        assert refused.ephemeral
        assert_logged_with_traceback(caplog, error_id_in(refused.response.content))
        w.take_errors()
        assert engine.reindex_calls == 0  # nothing started behind a message nobody saw
        done = await w.admin.slash(w.channel, "reindex")  # not stuck "already running"
        assert engine.reindex_calls == 1 and "Index up to date" in done.response.content
    _count(faults)


async def test_refused_progress_edits_still_deliver_the_summary(bundled_engine, monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    engine = ChattyEngine(bundled_engine)  # 400 progress reports, then a summary
    faults = HttpFaults(monkeypatch)
    async with running_bot(engine, bundled_engine.settings) as w:
        w.bot.get_cog("Admin").progress_interval = 0.05
        faults.add(*EDIT_ORIGINAL, 503, times=None)  # e.g. the 15-minute interaction token has expired
        result = await w.admin.slash(w.channel, "reindex")
        assert result.response.content.startswith("⏳")  # the progress message could never be edited…
        summary = w.channel.last_message  # …so the summary was posted to the channel instead
        assert summary.author.id == w.bot.user.id and "1 added" in summary.content
        assert any(m == "PATCH" for m, _p, _s in faults.failed)
    assert any("posting the summary instead" in r.getMessage() for r in caplog.records)
    _count(faults)


async def test_reindex_summary_nobody_can_see_is_logged_and_the_bot_stays_up(bundled_engine, monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    engine = ChattyEngine(bundled_engine)
    faults = HttpFaults(monkeypatch)
    async with running_bot(engine, bundled_engine.settings) as w:
        faults.add(*EDIT_ORIGINAL, 500, times=None).add(*CHANNEL_MESSAGE, 500, times=None)
        await w.admin.slash(w.channel, "reindex")
        assert engine.reindex_calls == 1
        assert any("could not post the reindex summary" in r.getMessage() for r in caplog.records)
        assert any("finished" in r.getMessage() and '"added": ["a"]' in r.getMessage()
                   for r in caplog.records)  # the summary is in the log
        faults.clear()
        await assert_still_answers(w)
    _count(faults)


async def test_refused_cooldown_note_is_logged_and_the_bot_stays_up(bundled_engine, monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    settings = make_settings(bundled_engine.settings.corpus_dir, bundled_engine.settings.index_dir,
                             ask_cooldown_rate=1, ask_cooldown_seconds=60)
    faults = HttpFaults(monkeypatch)
    async with running_bot(bundled_engine, settings) as w:
        await w.reporter.slash(w.channel, "ask", question=QUESTION)
        faults.add(*INTERACTION_CALLBACK, 429)
        refused = await w.reporter.slash(w.channel, "ask", question=QUESTION)
        assert refused.response is None
        [error] = w.take_errors()
        assert isinstance(error, discord.app_commands.CommandOnCooldown)
        assert any("could not tell" in r.getMessage() for r in caplog.records)
        await assert_still_answers(w)  # another member, own budget
    _count(faults)


# -- 2. discord.py's own HTTP stack against a fake Discord on 127.0.0.1 ------------------------------------------
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.TESTTOKEN.abcdefghijklmnopqrstuvwxyz0123"
ASKER = {"id": "5150", "username": "rita", "discriminator": "0", "global_name": "Rita", "avatar": None,
         "bot": False, "flags": 0}
DM_CHANNEL = {"id": "7001", "type": 1, "recipients": [ASKER], "last_message_id": None, "flags": 0}


def _response(data, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def _message(message_id: int, content: str) -> dict:
    return {"id": str(message_id), "channel_id": DM_CHANNEL["id"], "type": 0, "content": content,
            "author": BOT_USER, "attachments": [], "embeds": [], "mentions": [], "mention_roles": [],
            "pinned": False, "mention_everyone": False, "tts": False, "timestamp": "2026-01-01T00:00:00+00:00",
            "edited_timestamp": None, "flags": 0, "components": []}


class FlakyDiscordAPI(FakeDiscordAPI):
    """Discord's REST API for login and interaction responses, answering chosen calls with an error status.

    `plan` rules: {"route": "callback" | "followup" | "edit", "status": 429 | 5xx, "times": n, "via": bool}.
    A 429 carries `retry_after` in its body and, like Discord's own (not Cloudflare's), a `Via` header.
    `log` keeps (monotonic time, method, path, status, body) for every request.
    """

    def __init__(self, plan: list[dict], retry_after: float = 0.3):
        super().__init__(accept_token=True)
        self.plan = plan
        self.retry_after = retry_after
        self.log: list[tuple[float, str, str, int, object]] = []

    @staticmethod
    def _route(method: str, parts: list[str]) -> str | None:
        if method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            return "callback"
        if parts[0] == "webhooks" and method == "POST" and len(parts) == 3:
            return "followup"
        if parts[0] == "webhooks" and method == "PATCH" and parts[-1] == "@original":
            return "edit"
        return None

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw) if raw and request.content_type == "application/json" else None
        path = request.path.removeprefix("/api/v10")
        self.requests.append((request.method, path, request.headers.get("Authorization"), body))
        parts = path.strip("/").split("/")
        route = self._route(request.method, parts)
        response = self._answer(request, path, parts, route, body)
        self.log.append((time.monotonic(), request.method, path, response.status, body))
        return response

    def _answer(self, request, path, parts, route, body) -> web.Response:
        for rule in self.plan:
            if rule["route"] == route and rule["times"] > 0:
                rule["times"] -= 1
                if rule["status"] == 429:
                    headers = {"Retry-After": "1"} | ({"Via": "1.1 google"} if rule.get("via", True) else {})
                    return _response({"message": "You are being rate limited.", "retry_after": self.retry_after,
                                      "global": False}, 429, headers)
                return _response({"message": "Service Unavailable", "code": 0}, rule["status"])
        if path == "/users/@me":
            return _response(BOT_USER)
        if path == "/oauth2/applications/@me":
            return _response(APPLICATION)
        if route == "callback":
            kind = (body or {}).get("type")
            data = (body or {}).get("data") or {}
            return _response({"interaction": {"id": parts[1], "type": 2, "response_message_id": "8001",
                                              "response_message_loading": kind == 5,
                                              "response_message_ephemeral": bool(data.get("flags", 0) & 64)}})
        if route == "followup":
            return _response(_message(8002, (body or {}).get("content", "")))
        if route == "edit":
            return _response(_message(8001, (body or {}).get("content", "")))
        return _response({"message": "Unknown route", "code": 0}, 404)

    def sent(self, route: str, *, ok: bool = True) -> list[dict]:
        """Bodies of the requests on a route that Discord accepted (ok) or refused."""
        out = []
        for _t, method, path, status, body in self.log:
            parts = path.strip("/").split("/")
            if self._route(method, parts) == route and (200 <= status < 300) == ok:
                out.append(body or {})
        return out


class CompressedBackoff:
    """discord.py's webhook adapter waits 1, 3, 5, 7, 9 s between 5xx retries: the test records that schedule and
    waits a hundredth of it. Short waits (a 429's retry_after) are kept exactly."""

    def __init__(self):
        self.sleeps: list[float] = []

    def __getattr__(self, name):
        return getattr(asyncio, name)

    async def sleep(self, delay, result=None):
        self.sleeps.append(delay)
        return await asyncio.sleep(delay / 100 if delay >= 1 else delay, result)


@contextlib.asynccontextmanager
async def real_http_bot(bundled_engine, monkeypatch, plan):
    """The real CaseBot with discord.py's real HTTP client and webhook adapter, talking to FlakyDiscordAPI."""
    import discord.webhook.async_ as webhook_module

    backoff = CompressedBackoff()
    monkeypatch.setattr(webhook_module, "asyncio", backoff)
    settings = make_settings(bundled_engine.settings.corpus_dir, bundled_engine.settings.index_dir,
                             ask_cooldown_seconds=0)
    with FlakyDiscordAPI(plan) as api:
        monkeypatch.setattr(discord.http.Route, "BASE", api.base)
        bot = CaseBot(settings, bundled_engine, sync_commands=False)
        await bot.login(TOKEN)
        api.backoff = backoff
        try:
            yield bot, api
        finally:
            await bot.close()


async def ask_over_http(bot, n: int, question: str = QUESTION) -> None:
    """An /ask interaction from a DM, as the gateway delivers it, through the real tree; waits for the bot."""
    payload = {"id": str(90000 + n), "application_id": APPLICATION["id"], "type": 2, "token": f"itoken-{n}",
               "version": 1, "data": {"id": "5001", "name": "ask", "type": 1,
                                      "options": [{"name": "question", "type": 3, "value": question}]},
               "channel_id": DM_CHANNEL["id"], "channel": DM_CHANNEL, "user": ASKER, "locale": "en-US",
               "app_permissions": "0", "entitlements": [], "authorizing_integration_owners": {}, "context": 1,
               "attachment_size_limit": 26214400}
    bot._connection.parse_interaction_create(payload)
    await asyncio.sleep(0)
    for _ in range(100):
        pending = [t for t in asyncio.all_tasks() if t.get_name() == "CommandTree-invoker" and not t.done()]
        if not pending:
            return
        await asyncio.wait(pending, timeout=1)
    raise AssertionError("the bot is still handling the interaction")


def _answer_text(api: FlakyDiscordAPI) -> str:
    return "\n".join(b.get("content") or "" for b in api.sent("followup") + api.sent("edit"))


TRANSIENT = [  # discord.py retries these itself, and the answer arrives
    pytest.param("followup", 429, 1, id="followup-429-once"),
    pytest.param("followup", 500, 2, id="followup-500-twice"),
    pytest.param("followup", 503, 4, id="followup-503-four-times"),
    pytest.param("callback", 429, 1, id="defer-429-once"),
    pytest.param("callback", 503, 2, id="defer-503-twice"),
]


@pytest.mark.parametrize("route, status, times", TRANSIENT)
async def test_real_stack_retries_transient_failures_and_the_answer_arrives(bundled_engine, monkeypatch, caplog,
                                                                            route, status, times):
    caplog.set_level(logging.INFO)
    plan = [{"route": route, "status": status, "times": times}]
    async with real_http_bot(bundled_engine, monkeypatch, plan) as (bot, api):
        await ask_over_http(bot, 1)
        refused = [(t, s) for t, m, p, s, _b in api.log if s >= 400]
        assert len(refused) == times
        assert MUSK_QUOTE in _answer_text(api)
        assert not ERROR_ID.search(_answer_text(api))
        assert not [r for r in caplog.records if r.name == "casebot.errors"]
        if status == 429:  # the retry waited the retry_after Discord asked for
            retried_at = min(t for t, m, p, s, _b in api.log if t > refused[-1][0])
            assert retried_at - refused[-1][0] >= api.retry_after * 0.9
            assert any("rate limited" in r.getMessage() for r in caplog.records)
        else:  # discord.py's backoff: 1 s, 3 s, … (waited here at 1/100 scale)
            assert api.backoff.sleeps[:times] == [1 + 2 * i for i in range(times)]
    CHECKED["scenarios"] += 1
    CHECKED["failed_calls"] += times


PERSISTENT = [  # more than discord.py's five tries, or a 429 that is not Discord's own: the bot must cope
    pytest.param("followup", 503, 5, True, id="followup-503-persistent"),
    pytest.param("followup", 500, 5, True, id="followup-500-persistent"),
    pytest.param("followup", 429, 5, True, id="followup-429-persistent"),
    pytest.param("followup", 429, 1, False, id="followup-429-cloudflare"),
    pytest.param("callback", 503, 5, True, id="defer-503-persistent"),
]


@pytest.mark.parametrize("route, status, times, via", PERSISTENT)
async def test_real_stack_persistent_failure_is_told_with_an_error_id_and_the_bot_stays_up(
        bundled_engine, monkeypatch, caplog, route, status, times, via):
    caplog.set_level(logging.INFO)
    plan = [{"route": route, "status": status, "times": times, "via": via}]
    async with real_http_bot(bundled_engine, monkeypatch, plan) as (bot, api):
        await ask_over_http(bot, 1)
        assert sum(1 for *_x, s, _b in api.log if s >= 400) == times
        if route == "callback":  # the defer never got through: the reason is the (private) first response
            [told] = [b for b in api.sent("callback") if b.get("type") == 4]
            assert told["data"]["flags"] & 64
            text = told["data"]["content"]
        else:  # "thinking…" was shown: the reason replaces it
            [told] = api.sent("edit")
            text = told["content"]
        error_id = error_id_in(text)
        expected = discord.DiscordServerError if status >= 500 else discord.HTTPException
        assert_logged_with_traceback(caplog, error_id, expected)
        assert MUSK_QUOTE not in _answer_text(api)

        await ask_over_http(bot, 2)  # Discord recovered: the bot answers again
        assert MUSK_QUOTE in _answer_text(api)
    CHECKED["scenarios"] += 1
    CHECKED["failed_calls"] += times


def test_zz_report_send_failure_figures():
    """Runs last in this module: the figures for RELIABILITY.md."""
    print(f"\nreliability: send-failures scenarios={CHECKED['scenarios']} "
          f"refused_calls={CHECKED['failed_calls']} statuses=429,500,503 crashes=0")
