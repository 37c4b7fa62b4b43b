"""`casebot run`: no token, a rejected token, a clean stop on SIGTERM, and everything that must be ready before it
connects (issue 16, item 4: an empty Docker volume made it log in, exit 3 and loop under a restart policy).

discord.py talks to a fake Discord API on 127.0.0.1 (its REST base URL is pointed there), so the real login
path runs and nothing leaves the machine. The model is never loaded in these tests (bot.runner.load_model is
replaced); the engine's load is replaced by a recorder.
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
    """`casebot run` settings from the environment, no .env from the working tree, no model loaded."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setattr("bot.runner.load_model", lambda engine: None)
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
    with FakeDiscordAPI(accept_token=False) as api:
        loaded = []
        run_env.setattr("retrieval.engine.CaseEngine.load", lambda *a, **k: loaded.append(list(api.requests)))
        _point_discord_at(run_env, api)
        code = main(["run"])
    out, err = capsys.readouterr()
    assert loaded == [[]]  # ready (model, index) before any request to Discord
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
    assert sorted(c["name"] for c in synced) == ["add", "ask", "case", "feedback", "reindex", "remove", "sources", "timeline"]
    assert any("closing the Discord connection" in r.getMessage() for r in caplog.records)
    assert TOKEN not in out + err + caplog.text + json.dumps([r[3] for r in api.requests])


# -- what must be ready before connecting (item 4) -------------------------------------------------------------
ARTICLE = "---\ntitle: A case\nsource: Test Wire\npublished: 2026-02-03\n---\n\nProsecutors raided the office.\n"


def _load_needing_articles(calls: list):
    """CaseEngine.load as far as these tests need: NoArticles for an empty corpus folder, else recorded."""
    from retrieval.indexer import NoArticles

    def load(self, **kwargs):
        if not any(self.settings.corpus_dir.iterdir()):
            raise NoArticles("no readable article in the corpus folder")
        calls.append(kwargs)

    return load


def _connect_then_stop(bots: list):
    async def connect(self, *, reconnect=True):
        bots.append(self)
        signal.raise_signal(signal.SIGTERM)
        await asyncio.sleep(3600)

    return connect


@pytest.mark.parametrize("volume", ["empty-volume", "no-corpus-folder", "nothing-at-all"])
def test_an_empty_volume_is_prepared_and_waited_on_without_logging_in(run_env, tmp_path, capsys, volume):
    """The Docker first start with an empty /data: folders created, a message saying where articles go, no
    connection to Discord and no exit (a stop signal ends it cleanly)."""
    data = tmp_path / "data"
    if volume == "empty-volume":
        (data / "corpus").mkdir(parents=True)
    elif volume == "no-corpus-folder":
        data.mkdir()
    run_env.setenv("CASEBOT_CORPUS_DIR", str(data / "corpus"))
    run_env.setenv("CASEBOT_INDEX_DIR", str(data / "index"))
    run_env.setenv("CASEBOT_DISCORD_TOKEN", TOKEN)
    calls, waits = [], []

    async def stop_at_first_wait(stop, seconds):
        waits.append(seconds)
        return True

    run_env.setattr("retrieval.engine.CaseEngine.load", _load_needing_articles(calls))
    run_env.setattr("bot.discord_app._stopped_within", stop_at_first_wait)
    with FakeDiscordAPI(accept_token=True) as api:
        _point_discord_at(run_env, api)
        code = main(["run"])
    err = capsys.readouterr().err
    assert code == 0 and waits and not calls
    assert api.requests == []  # never logged in
    assert (data / "corpus").is_dir() and (data / "index").is_dir()
    assert "CASEBOT_CORPUS_DIR" in err and str(data / "corpus") in err and "Waiting for articles" in err


def test_articles_copied_in_while_waiting_are_indexed_then_the_bot_connects(run_env, tmp_path, capsys):
    run_env.setenv("CASEBOT_DISCORD_TOKEN", TOKEN)
    calls, bots = [], []

    async def article_arrives(stop, seconds):
        (tmp_path / "corpus" / "case.md").write_text(ARTICLE, encoding="utf-8")
        return False

    run_env.setattr("retrieval.engine.CaseEngine.load", _load_needing_articles(calls))
    run_env.setattr("bot.discord_app._stopped_within", article_arrives)
    run_env.setattr("bot.discord_app.CaseBot.connect", _connect_then_stop(bots))
    with FakeDiscordAPI(accept_token=True) as api:
        _point_discord_at(run_env, api)
        code = main(["run"])
    assert code == 0, capsys.readouterr().err
    assert calls == [{"build_if_needed": True}] and bots
    assert api.requests[0][:2] == ("GET", "/users/@me")


def _file(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("not a folder")
    return path


@pytest.mark.parametrize("setting, make", [
    ("CASEBOT_CORPUS_DIR", lambda tmp: _file(tmp / "corpus-is-a-file")),
    ("CASEBOT_INDEX_DIR", lambda tmp: _file(tmp / "index-is-a-file")),
    ("CASEBOT_CORPUS_DIR", lambda tmp: _file(tmp / "blocked") / "corpus"),
    ("CASEBOT_INDEX_DIR", lambda tmp: _file(tmp / "blocked") / "index"),
], ids=["corpus-file", "index-file", "corpus-under-a-file", "index-under-a-file"])
def test_folders_that_cannot_be_prepared_stop_before_logging_in(run_env, tmp_path, capsys, setting, make):
    run_env.setenv(setting, str(make(tmp_path)))
    run_env.setenv("CASEBOT_DISCORD_TOKEN", TOKEN)
    run_env.setattr("retrieval.engine.CaseEngine.load", lambda *a, **k: pytest.fail("loaded anyway"))
    with FakeDiscordAPI(accept_token=True) as api:
        _point_discord_at(run_env, api)
        code = main(["run"])
    err = capsys.readouterr().err
    assert code == 2 and setting in err
    assert api.requests == []


def test_a_model_that_cannot_load_is_named_and_stops_before_logging_in(run_env, capsys):
    run_env.setenv("CASEBOT_DISCORD_TOKEN", TOKEN)

    def broken(engine):
        raise OSError("config.json not found in the model folder")

    run_env.setattr("bot.runner.load_model", broken)
    with FakeDiscordAPI(accept_token=True) as api:
        _point_discord_at(run_env, api)
        code = main(["run"])
    err = capsys.readouterr().err
    assert code == 3 and "CASEBOT_MODEL" in err and "CASEBOT_CORPUS_DIR" not in err
    assert api.requests == []


@pytest.mark.parametrize("bad", [{"CASEBOT_LOG_LEVEL": "LOUD"}, {"CASEBOT_DISCORD_TOKEN": "two words"}])
def test_wait_on_error_stays_stopped_instead_of_exiting_into_a_restart_loop(tmp_path, bad):
    """What the Docker image runs: after a setting error it waits for `docker stop`, so a restart policy that
    restarts any exit (unless-stopped) does not start the same failure over and over."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")}
    env.update(bad, CASEBOT_CORPUS_DIR=str(tmp_path / "corpus"), CASEBOT_INDEX_DIR=str(tmp_path / "index"))
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--wait-on-error"], cwd=tmp_path, env=env,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        seen = ""
        while "waiting to be stopped" not in seen:
            line = proc.stderr.readline()
            assert line, f"exited early ({proc.wait(timeout=60)}): {seen}"
            seen += line
        assert proc.poll() is None  # still there, not exited into the restart policy
        assert next(iter(bad)) in seen and bad[next(iter(bad))] not in seen
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 2
    finally:
        if proc.poll() is None:
            proc.kill()
