"""`casebot run`: no token, a rejected token, and a clean stop on SIGTERM.

discord.py talks to a fake Discord API on 127.0.0.1 (its REST base URL is pointed there), so the real login
path runs and nothing leaves the machine. The engine is never loaded in these tests.
"""
from __future__ import annotations

import asyncio
import json
import logging
import signal
import threading

import discord
import pytest
from aiohttp import web

from bot.cli import main

TOKEN = "MTIz.fake-token-for-tests.do-not-print"
BOT_USER = {"id": "4242", "username": "casebot", "discriminator": "0", "global_name": None, "avatar": None,
            "bot": True, "flags": 0}
APPLICATION = {"id": "4242", "name": "casebot", "description": "", "icon": None, "bot_public": True,
               "bot_require_code_grant": False, "verify_key": "00", "flags": 0,
               "owner": {"id": "1", "username": "newsroom", "discriminator": "0", "avatar": None}}


def _json(data, status: int = 200) -> web.Response:
    # Exactly "application/json": discord.py reads other content types (even with a charset) as text.
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


class FakeDiscordAPI:
    """Discord's REST API, as much as login and command sync need, on 127.0.0.1 in its own thread."""

    def __init__(self, *, accept_token: bool):
        self.accept_token = accept_token
        self.requests: list[tuple[str, str, str | None, object]] = []
        self.base = ""
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        path = request.path.removeprefix("/api/v10")
        self.requests.append((request.method, path, request.headers.get("Authorization"), body))
        if path == "/users/@me":
            if not self.accept_token:
                return _json({"message": "401: Unauthorized", "code": 0}, status=401)
            return _json(BOT_USER)
        if path == "/oauth2/applications/@me":
            return _json(APPLICATION)
        if request.method == "PUT" and path.endswith("/commands"):
            return _json([])
        return _json({"message": "Unknown route", "code": 0}, status=404)

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}/api/v10"
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())
        self._loop.close()

    def __enter__(self) -> "FakeDiscordAPI":
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture
def run_env(monkeypatch, tmp_path):
    """`casebot run` settings from the environment, no .env from the working tree."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(tmp_path / "index"))
    return monkeypatch


def _point_discord_at(monkeypatch, api: FakeDiscordAPI) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", api.base)


def test_run_without_token_names_the_variable(run_env, capsys):
    code = main(["run"])
    err = capsys.readouterr().err
    assert code != 0
    assert "CASEBOT_DISCORD_TOKEN" in err and "casebot console" in err


def test_run_discord_without_token_is_refused_too(run_env, capsys):
    from bot.discord_app import run_discord
    from bot.settings import BotSettings

    assert run_discord(BotSettings(_env_file=None, discord_token="  ")) != 0
    assert "CASEBOT_DISCORD_TOKEN" in capsys.readouterr().err


def test_rejected_token_exits_non_zero_with_a_clear_message(run_env, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    run_env.setenv("CASEBOT_DISCORD_TOKEN", TOKEN)
    run_env.setattr("retrieval.engine.CaseEngine.load", lambda *a, **k: pytest.fail("loaded before login"))
    with FakeDiscordAPI(accept_token=False) as api:
        _point_discord_at(run_env, api)
        code = main(["run"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "rejected" in err and "CASEBOT_DISCORD_TOKEN" in err
    assert [(m, p) for m, p, _a, _b in api.requests] == [("GET", "/users/@me")]
    assert api.requests[0][2] == f"Bot {TOKEN}"  # the real login path ran, with the token from the environment
    assert TOKEN not in out + err + caplog.text


def test_sigterm_closes_the_bot_cleanly(run_env, capsys, caplog):
    caplog.set_level(logging.INFO)
    run_env.setenv("CASEBOT_DISCORD_TOKEN", TOKEN)
    loaded = []
    run_env.setattr("retrieval.engine.CaseEngine.load", lambda self, **k: loaded.append(k))
    bots = []

    async def connect_then_get_sigterm(self, *, reconnect=True):
        bots.append(self)
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            raise AssertionError("no SIGTERM handler installed")  # never kill the test runner
        signal.raise_signal(signal.SIGTERM)
        await asyncio.sleep(3600)  # a gateway connection that would run until closed

    run_env.setattr("bot.discord_app.CaseBot.connect", connect_then_get_sigterm)
    with FakeDiscordAPI(accept_token=True) as api:
        _point_discord_at(run_env, api)
        code = main(["run"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert loaded == [{"build_if_needed": True}]  # model and index loaded once, before connecting
    assert bots and bots[0].is_closed()
    [(_, _, _, synced)] = [r for r in api.requests if r[0] == "PUT"]
    assert sorted(c["name"] for c in synced) == ["ask", "feedback", "reindex", "sources", "timeline"]
    assert any("closing the Discord connection" in r.getMessage() for r in caplog.records)
    assert TOKEN not in out + err + caplog.text + json.dumps([r[3] for r in api.requests])
