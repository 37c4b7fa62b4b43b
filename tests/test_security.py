"""Security: admin commands only for admins, the token never shown, corpus paths that cannot escape, size limits,
and messages that ping nobody.

1. **/reindex is refused to non-admins in every path**: the slash command (hidden by default, and refused in
   code when a server admin re-grants it, or when a forged/modified client sends it anyway), DMs, and the mention
   path (`@casebot /reindex` is just a question). The console is local-only: it is the admin's own terminal.
2. **The token never appears**: settings' repr/str/dump, CLI errors for bad settings, the bot's logs and stderr
   on a rejected token, a start → SIGTERM cycle, a crash, and the unexpected-error reply path.
3. **Corpus paths cannot escape**: `import --name` with `../` and absolute names; links in the corpus folder;
   size limits (CASEBOT_MAX_FILE_BYTES) on scanned and imported files.
4. **allowed_mentions ping nobody** everywhere the bot sends, with @everyone, @here, role and user mentions in
   both the questions and the article text; simcord computes who Discord would notify.

Bugs found here were fixed; their minimal reproductions stay as regression tests. Figures: `reliability: security …` lines.
"""
from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import re
import shutil
import signal
import socket
import threading
import traceback
from pathlib import Path

import discord
import pytest
import simcord
from simcord.backend.models.message import AllowedMentions as SimcordPolicy

from bot.checks import AskLimiter
from bot.cli import main
from bot.settings import BotSettings
from retrieval.engine import NO_ANSWER, CaseEngine
from retrieval.ingest.errors import ArticleError
from retrieval.ingest.importer import import_article
from retrieval.ingest.loader import scan_corpus
from retrieval.layout import IndexLayout
from retrieval.models import ReindexSummary
from tests.conftest import CORPUS, ROOT, make_settings
from tests.discord_helpers import (all_text, bot_messages, dispatch_slash_raw, message_bodies, pings_nobody,
                                   running_bot, stored_messages)
from tests.test_discord_conversation import LongTimelineEngine
from tests.test_discord_reindex import CountingEngine
from tests.test_discord_startup import FakeDiscordAPI

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.TESTTOKEN.abcdefghijklmnopqrstuvwxyz0123"
MUSK_QUOTE = "summoned by prosecutors to appear in April"
UP_TO_DATE = ReindexSummary(documents=1, sentences=17, rebuilt=False)

FIGURES = {"refusal_paths": 0, "token_greps": 0, "escape_attempts": 0, "size_checks": 0, "send_paths": 0,
           "bot_messages": 0}


def _grep(text: str, where: str) -> None:
    """The token must not be in `text`."""
    FIGURES["token_greps"] += 1
    assert TOKEN not in text, f"the token appears in {where}"
    # Nor its distinctive middle part (a token cut or re-wrapped still leaks).
    assert "TESTTOKEN.abcdefghij" not in text, f"part of the token appears in {where}"


# == 1. /reindex only for admins ===================================================================================
def _reindex_id(w) -> int:
    return int(w.env.backend.find_command("reindex", w.guild.id, type=1)["id"])


async def _refused(w, engine, result, index_before, *, why: str) -> None:
    await w.env.settle()
    assert result.response is not None and result.ephemeral, result
    assert why in result.response.content, result.response.content
    errors = w.take_errors()
    assert [type(e).__name__ for e in errors] == ["NotCaseAdmin"], errors
    assert engine.reindex_calls == 0 and not engine.reindex_running
    assert engine.index.path == index_before
    FIGURES["refusal_paths"] += 1


async def test_reindex_refused_to_non_admins_in_every_slash_path(bundled_engine):
    engine = CountingEngine(bundled_engine, fake_summary=UP_TO_DATE)
    index_before = bundled_engine.index.path
    async with running_bot(engine, bundled_engine.settings) as w:
        chiefs = w.guild.create_role("Chiefs")  # the configured admin role
        w.bot.settings = make_settings(bundled_engine.settings.corpus_dir, bundled_engine.settings.index_dir,
                                       admin_role_ids=str(chiefs.id))
        moderators = w.guild.create_role("Moderators", permissions=discord.Permissions(
            manage_messages=True, kick_members=True, ban_members=True, manage_channels=True, manage_roles=True,
            moderate_members=True, mention_everyone=True))  # powerful, but neither Manage Server nor Administrator
        desk = w.guild.create_role("Desk")  # a role, but not the configured admin role
        members = {
            "plain member": w.reporter,
            "moderator": w.guild.add_member(w.env.create_user("mo"), roles=[moderators]),
            "desk member": w.guild.add_member(w.env.create_user("dee"), roles=[desk]),
        }
        manage = "Manage Server"
        for label, member in members.items():
            # Hidden in the client by default…
            assert "reindex" not in member.available_commands(w.channel), label
            with pytest.raises(simcord.SetupError, match="not visible"):
                await member.slash(w.channel, "reindex")
            # …and refused in code when a modified client or a forged request sends it anyway.
            forged = dispatch_slash_raw(w.env, member.id, w.channel.id, "reindex", guild_id=w.guild.id)
            await _refused(w, engine, forged, index_before, why=manage)

        # A server admin re-grants /reindex to everyone (Server Settings → Integrations): still refused.
        w.guild.set_command_permissions(_reindex_id(w), {w.guild.default_role: True})
        for label, member in members.items():
            assert "reindex" in member.available_commands(w.channel), label
            await _refused(w, engine, await member.slash(w.channel, "reindex"), index_before, why=manage)

        # Re-granted to the member personally, and to their role: still refused.
        w.guild.set_command_permissions(_reindex_id(w), {members["plain member"]: True, moderators: True,
                                                         desk: True})
        for member in members.values():
            await _refused(w, engine, await member.slash(w.channel, "reindex"), index_before, why=manage)

        # In a DM (where /reindex does not exist), forged: refused, even for a server admin.
        for member in (w.reporter, w.admin):
            dm = member.user.dm_channel
            assert "reindex" not in member.user.available_commands()
            forged = dispatch_slash_raw(w.env, member.id, dm.id, "reindex", guild_id=None)
            await _refused(w, engine, forged, index_before, why="only works in a server channel")

        # Controls: Manage Server, Administrator, and the configured admin role may reindex.
        boss = w.guild.add_member(w.env.create_user("ada"), roles=[
            w.guild.create_role("Owners", permissions=discord.Permissions(administrator=True))])
        chief = w.guild.add_member(w.env.create_user("chuck"), roles=[chiefs])
        w.guild.set_command_permissions(_reindex_id(w), {chiefs: True})
        for n, member in enumerate((w.admin, boss, chief), start=1):
            allowed = await member.slash(w.channel, "reindex")
            assert "Index up to date" in allowed.response.content and allowed.ephemeral  # to the admin only
            assert engine.reindex_calls == n
    print(f"\nreliability: security admin_refusals={FIGURES['refusal_paths']} "
          "(slash hidden+forged, re-granted to everyone, to the member, to the role, DM forged) reindexes_by_them=0")


MENTION_TRIGGERS = ["/reindex", "reindex", "/reindex now", "!reindex", "<@{bot}> /reindex", "please /reindex"]


async def test_mentions_and_dms_never_trigger_a_reindex(bundled_engine):
    """`@casebot /reindex` is a question like any other, for members and admins alike, in channels and DMs."""
    engine = CountingEngine(bundled_engine)
    layout = IndexLayout(bundled_engine.settings.index_dir)
    build_before, index_before = layout.current(), bundled_engine.index.path
    settings = make_settings(bundled_engine.settings.corpus_dir, bundled_engine.settings.index_dir,
                             ask_cooldown_seconds=0)
    async with running_bot(engine, settings) as w:
        assert not w.bot.all_commands  # no prefix commands at all: a mention is only ever read as a question
        sent = 0
        for author in (w.reporter, w.admin):
            for trigger in MENTION_TRIGGERS:
                text = trigger.format(bot=w.bot.user.id)
                await author.send(w.channel, f"{w.bot_mention} {text}")
                reply = w.channel.last_message
                assert reply.author.id == w.bot.user.id and "Reindex" not in reply.content
                await author.user.send_dm(text)
                sent += 2
        dm_replies = [m for m in w.admin.user.dm_channel.history() if m.author.id == w.bot.user.id]
        assert dm_replies and all("Reindexing" not in m.content for m in dm_replies)
        assert engine.reindex_calls == 0
    assert layout.current() == build_before and bundled_engine.index.path == index_before
    FIGURES["refusal_paths"] += sent
    print(f"\nreliability: security mention_and_dm_reindex_attempts={sent} reindexes=0")


def test_console_is_local_only(bundled_engine, monkeypatch, capsys):
    """What "the console is local-only" means: `casebot console` (or `casebot start` with no token, in a terminal)
    reads the standard input of the process the admin started and writes to its standard output. It opens no
    network listener, nothing from Discord reaches it, and without a terminal (a container, a service) `start`
    refuses to open it. So /reindex in the console is available to exactly who can already run casebot."""
    from bot.console import run_console

    listening = []

    def no_listener(self, *args, **kwargs):
        listening.append(args)
        raise AssertionError("the console opened a network listener")

    monkeypatch.setattr(socket.socket, "bind", no_listener)
    monkeypatch.setattr(socket.socket, "listen", no_listener)
    engine = CountingEngine(bundled_engine, fake_summary=UP_TO_DATE)
    out = io.StringIO()
    assert run_console(engine, stdin=io.StringIO("/reindex\nWhen must Musk appear?\n/quit\n"), stdout=out) == 0
    assert engine.reindex_calls == 1 and "Index up to date" in out.getvalue() and MUSK_QUOTE in out.getvalue()
    assert listening == []
    # Nothing in the console or the Discord side connects the two.
    console_src = (ROOT / "bot" / "console.py").read_text(encoding="utf-8")
    for network in ("socket", "aiohttp", "http.server", "start_server", "create_server", "websockets"):
        assert network not in console_src
    for path in (ROOT / "bot" / "cogs").glob("*.py"):
        assert "console" not in path.read_text(encoding="utf-8"), path
    # No token and no terminal (stdin is not a tty under pytest): `start` refuses instead of opening a console.
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(bundled_engine.settings.corpus_dir))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(bundled_engine.settings.index_dir))
    assert main(["start"]) == 2
    assert "no Discord token" in capsys.readouterr().err
    FIGURES["refusal_paths"] += 1


# == 2. the token never appears ===================================================================================
def test_settings_never_show_the_token(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"CASEBOT_DISCORD_TOKEN={TOKEN}\n", encoding="utf-8")
    monkeypatch.setenv("CASEBOT_GUILD_IDS", "1,2")
    from_env_file = BotSettings()
    direct = BotSettings(_env_file=None, discord_token=f"  {TOKEN}  ")
    for settings in (from_env_file, direct):
        assert settings.discord_token.get_secret_value() == TOKEN  # it is there, for discord.py…
        shown = {  # …and nowhere it could be printed
            "repr": repr(settings), "str": str(settings), "format": f"{settings}",
            "model_dump": str(settings.model_dump()), "model_dump_json": settings.model_dump_json(),
            "json dump": json.dumps(settings.model_dump(mode="json")), "token repr": repr(settings.discord_token),
            "token str": str(settings.discord_token), "vars": str(vars(settings)),
        }
        for where, text in shown.items():
            _grep(text, where)


BAD_SETTINGS = [
    ("CASEBOT_ASK_COOLDOWN_RATE", "abc"),
    ("CASEBOT_TOP_K", "0"),
    ("CASEBOT_MAX_FILE_BYTES", "12"),
    ("CASEBOT_ADMIN_ROLE_IDS", "editors"),
]


@pytest.mark.parametrize("variable, value", BAD_SETTINGS, ids=[v for v, _ in BAD_SETTINGS])
@pytest.mark.parametrize("command", [["run"], ["ask", "When must Musk appear?"], ["health"]],
                         ids=["run", "ask", "health"])
def test_cli_errors_for_a_bad_setting_never_show_the_token(monkeypatch, tmp_path, capsys, variable, value,
                                                           command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOT_DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv(variable, value)
    assert main(command) == 2
    out, err = capsys.readouterr()
    assert variable in err and "invalid settings" in err
    _grep(out + err, f"`casebot {command[0]}` output with a bad {variable}")


def test_token_in_the_wrong_variable_is_not_echoed(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOT_GUILD_IDS", TOKEN)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "CASEBOT_GUILD_IDS" in err
    assert TOKEN not in err


@pytest.fixture
def stderr_log(monkeypatch):
    """A stderr-like log handler on the root logger, as `casebot run` has in production (pytest's own capture
    handlers otherwise stop logging.basicConfig from adding one). Formats tracebacks too."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


@pytest.fixture
def run_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("CASEBOT_DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("CASEBOT_LOG_LEVEL", "DEBUG")  # the most the bot ever logs
    # `run` loads the model and the index before it logs in (tests/test_discord_startup.py): not needed here.
    monkeypatch.setattr("bot.runner.load_model", lambda engine: None)
    monkeypatch.setattr("retrieval.engine.CaseEngine.load", lambda self, **k: None)
    return monkeypatch


def _sent_to_discord_only_as_authorization(api: FakeDiscordAPI) -> None:
    """The token went to Discord in the Authorization header, and nowhere else (no body, no URL)."""
    assert any(auth == f"Bot {TOKEN}" for _m, _p, auth, _b in api.requests)
    for method, path, _auth, body in api.requests:
        _grep(f"{method} {path} {json.dumps(body)}", "a request path or body sent to Discord")


def test_rejected_token_start_never_shows_it(run_env, capsys, caplog, stderr_log):
    caplog.set_level(logging.DEBUG)
    with FakeDiscordAPI(accept_token=False) as api:
        run_env.setattr(discord.http.Route, "BASE", api.base)
        assert main(["run"]) == 2
    out, err = capsys.readouterr()
    assert "rejected" in err
    for where, text in {"stdout": out, "stderr": err, "caplog": caplog.text, "stderr log": stderr_log.getvalue()
                        }.items():
        _grep(text, f"{where} of a start with a rejected token")
    _sent_to_discord_only_as_authorization(api)


def test_unreachable_discord_start_never_shows_the_token(run_env, capsys, caplog, stderr_log):
    caplog.set_level(logging.DEBUG)
    with socket.socket() as probe:  # a port on 127.0.0.1 that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run_env.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    assert main(["run"]) == 1
    out, err = capsys.readouterr()
    assert "could not reach Discord" in err
    for text in (out, err, caplog.text, stderr_log.getvalue()):
        _grep(text, "the output of a start that could not reach Discord")


def test_start_then_sigterm_never_shows_the_token(run_env, capsys, caplog, stderr_log):
    caplog.set_level(logging.DEBUG)
    run_env.setattr("retrieval.engine.CaseEngine.load", lambda self, **k: None)

    async def connect_then_sigterm(self, *, reconnect=True):
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            raise AssertionError("no SIGTERM handler installed")  # never kill the test runner
        signal.raise_signal(signal.SIGTERM)
        await asyncio.sleep(3600)

    run_env.setattr("bot.discord_app.CaseBot.connect", connect_then_sigterm)
    with FakeDiscordAPI(accept_token=True) as api:
        run_env.setattr(discord.http.Route, "BASE", api.base)
        assert main(["run"]) == 0
    out, err = capsys.readouterr()
    assert any("closing the Discord connection" in r.getMessage() for r in caplog.records)
    for text in (out, err, caplog.text, stderr_log.getvalue()):
        _grep(text, "the output of a start → SIGTERM cycle")
    _sent_to_discord_only_as_authorization(api)


def test_crash_output_never_shows_the_token(run_env, capsys, caplog, stderr_log):
    """An unexpected crash after login (here the gateway connection blows up): the traceback printed for it."""
    caplog.set_level(logging.DEBUG)
    run_env.setattr("retrieval.engine.CaseEngine.load", lambda self, **k: None)

    async def connect_crashes(self, *, reconnect=True):
        raise RuntimeError("gateway exploded")

    run_env.setattr("bot.discord_app.CaseBot.connect", connect_crashes)
    with FakeDiscordAPI(accept_token=True) as api:
        run_env.setattr(discord.http.Route, "BASE", api.base)
        with pytest.raises(RuntimeError, match="gateway exploded") as crash:
            main(["run"])
    crash_output = "".join(traceback.format_exception(crash.value))
    out, err = capsys.readouterr()
    for text in (crash_output, out, err, caplog.text, stderr_log.getvalue()):
        _grep(text, "the output of a crash")


async def test_unexpected_error_reply_never_shows_the_token(bundled_engine, caplog):
    """An engine failure whose message carries the settings (as a careless library might): the user sees only an
    error id; the log has the traceback, with the settings' token masked."""
    caplog.set_level(logging.DEBUG)
    settings = make_settings(bundled_engine.settings.corpus_dir, bundled_engine.settings.index_dir,
                             discord_token=TOKEN)

    class LeakyEngine(CountingEngine):
        def ask(self, question, k=None):
            raise RuntimeError(f"search failed with {settings!r} / {settings.model_dump()}")

    async with running_bot(LeakyEngine(bundled_engine), settings) as w:
        assert w.bot.settings.discord_token.get_secret_value() == TOKEN
        result = await w.reporter.slash(w.channel, "ask", question="When must Musk appear?")
        assert "error id" in all_text(result)
        await w.reporter.send(w.channel, f"{w.bot_mention} when must Musk appear?")
        assert "error id" in w.channel.last_message.content
        w.take_errors()
        texts = [all_text(result), w.channel.last_message.content, caplog.text,
                 "\n".join(logging.Formatter().format(r) for r in caplog.records),
                 json.dumps([r.json for r in w.env.http_requests], default=str)]
    for text in texts:
        _grep(text, "the unexpected-error path (reply, log, requests)")
    print(f"\nreliability: security token_greps={FIGURES['token_greps']} (settings, CLI errors, start logs, "
          "SIGTERM, crash, error replies) leaks=0")


@contextlib.contextmanager
def _root_log_with_token_filter():
    """The root log as the bot configures it (token filter on), captured in a string."""
    from bot.discord_app import _bot_logging

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with _bot_logging("INFO", TOKEN):
            yield stream
    finally:
        root.removeHandler(handler)


def test_log_filter_blanks_the_token_in_messages():
    with _root_log_with_token_filter() as stream:
        logging.getLogger("some.library").warning("connecting with %s", TOKEN)
    assert "[token hidden]" in stream.getvalue()
    _grep(stream.getvalue(), "a library log message")


def test_log_filter_blanks_the_token_in_tracebacks():
    with _root_log_with_token_filter() as stream:
        try:
            raise ConnectionError(f"handshake failed for Bot {TOKEN}")
        except ConnectionError:
            logging.getLogger("some.library").exception("connection failed")
    assert "connection failed" in stream.getvalue()
    assert TOKEN not in stream.getvalue()


# == 3. corpus paths cannot escape ================================================================================
RAW = "title: Harbour news\nsource: Test Wire\ndate 2026-03-01\n\nThe ferry pier reopened on Monday. Crews cheered.\n"
ESCAPING_NAMES = ["../../x", "../x.md", "..", ".", "/etc/passwd", "/tmp/casebot-abs-target.md", "a/../../b",
                  "....//....//x", "..\\..\\windows\\evil", "C:\\Windows\\evil.md", "~/evil", "$HOME/evil",
                  "x\x00y", ".hidden", "\u202e../gpj.md", "../" * 40 + "deep", "a" * 500]


def _files_outside(root: Path, corpus: Path, allowed: set[Path]) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and not p.is_relative_to(corpus) and p not in allowed]


@pytest.mark.parametrize("name", ESCAPING_NAMES, ids=range(len(ESCAPING_NAMES)))
def test_import_name_cannot_escape_the_corpus(tmp_path, name):
    src = tmp_path / "incoming" / "story.txt"
    src.parent.mkdir()
    src.write_text(RAW, encoding="utf-8")
    corpus = tmp_path / "work" / "corpus"
    target = import_article(src, corpus, name=name)
    assert target.resolve().parent == corpus.resolve(), target
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.md", target.name) and len(target.name) <= 123
    assert _files_outside(tmp_path, corpus, {src}) == []
    assert not Path("/tmp/casebot-abs-target.md").exists()
    [article] = scan_corpus(corpus).articles  # and it is an article the corpus reads
    assert article.paragraphs == ("The ferry pier reopened on Monday. Crews cheered.",)
    FIGURES["escape_attempts"] += 1


def test_import_name_cannot_escape_through_the_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "story.txt"
    src.write_text(RAW, encoding="utf-8")
    corpus = tmp_path / "corpus"
    for name in ("../../escaped", str(tmp_path / "absolute")):
        assert main(["import", str(src), "--out", str(corpus), "--name", name]) == 0
    assert sorted(p.name for p in corpus.iterdir()) == ["absolute.md", "escaped.md"]
    assert _files_outside(tmp_path, corpus, {src}) == []
    capsys.readouterr()
    FIGURES["escape_attempts"] += 2


@pytest.mark.parametrize("case", ["dangling-link", "force-over-link"])
def test_import_does_not_write_through_a_link_in_the_corpus(tmp_path, case):
    src = tmp_path / "story.txt"
    src.write_text(RAW, encoding="utf-8")
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    victim = outside / "victim.md"
    if case == "force-over-link":
        victim.write_text("precious\n", encoding="utf-8")
    os.symlink(victim, corpus / "story.md")
    try:
        import_article(src, corpus, overwrite=case == "force-over-link")
    except ArticleError:
        pass  # refusing is fine
    assert not victim.exists() or victim.read_text(encoding="utf-8") == "precious\n"


def test_no_discord_path_writes_files():
    """The Discord layer writes no file itself: the one place that reads attachments is the admins' /add, which
    hands the bytes to the core (retrieval.corpus_edit), where the file name is never a path (hostile names are
    tried in tests/test_discord_cases.py). Local commands (CLI, console) are the admin's own terminal."""
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if path.name in {"cli.py", "console.py", "cli_cases.py", "console_cases.py"}:  # local commands
            continue
        source = path.read_text(encoding="utf-8")
        for needle in (".save(", "write_bytes", "write_text", "open("):
            assert needle not in source, (path.name, needle)
        if path.name != "cases.py":
            assert "attachment" not in source.lower(), path.name
    FIGURES["escape_attempts"] += 1


GOOD_MD = "---\ntitle: Secret memo\nsource: Outside\npublished: 2026-01-01\n---\n\nThe secret plan is {n}.\n"


def test_corpus_links_out_of_the_folder_are_never_read(tmp_path):
    """Extends test_corpus_loader: relative links, chains of links, links to devices and system files, FIFOs."""
    outside, corpus = tmp_path / "outside", tmp_path / "corpus"
    outside.mkdir()
    (corpus / "sub").mkdir(parents=True)
    (outside / "secret.md").write_text(GOOD_MD.format(n=1), encoding="utf-8")
    (corpus / "inside.md").write_text(GOOD_MD.format(n=2).replace("Secret memo", "Inside memo"), encoding="utf-8")
    os.symlink("../outside/secret.md", corpus / "relative.md")  # relative link out
    os.symlink(outside / "secret.md", corpus / "hop2.md")
    os.symlink(corpus / "hop2.md", corpus / "hop1.md")  # a chain: inside → inside → outside
    os.symlink("../../outside/secret.md", corpus / "sub" / "deeper.md")
    os.symlink("/etc/passwd", corpus / "passwd.txt")
    os.symlink("/dev/zero", corpus / "zero.md")  # endless: would never finish reading
    os.symlink("/proc/self/environ", corpus / "environ.txt")  # would leak the environment (and the token)
    os.symlink(outside, corpus / "linked-dir")
    os.symlink(corpus / "inside.md", corpus / "alias.md")  # a link that stays inside is fine
    os.mkfifo(corpus / "pipe.md")  # opening it would block forever

    done = threading.Event()
    result = {}

    def scan():
        result["scan"] = scan_corpus(corpus)
        done.set()

    threading.Thread(target=scan, daemon=True).start()
    assert done.wait(30), "scanning the corpus hung (a FIFO or device was opened)"
    found = result["scan"]
    assert sorted(a.doc_id for a in found.articles) == ["alias", "inside"]
    assert all("secret plan is 1" not in p for a in found.articles for p in a.paragraphs)
    reasons = {s.path: s.reason for s in found.skipped}
    outside_links = {"relative.md", "hop1.md", "hop2.md", "sub/deeper.md", "passwd.txt", "zero.md",
                     "environ.txt"}
    assert outside_links <= set(reasons), reasons
    assert all(reasons[p] == "link pointing outside the corpus folder" for p in outside_links)
    FIGURES["escape_attempts"] += len(outside_links) + 2  # + the linked folder and the FIFO


def test_symlink_loop_in_the_corpus_is_skipped(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "inside.md").write_text(GOOD_MD.format(n=2), encoding="utf-8")
    os.symlink("loop-b.md", corpus / "loop-a.md")
    os.symlink("loop-a.md", corpus / "loop-b.md")
    scan = scan_corpus(corpus)
    assert [a.doc_id for a in scan.articles] == ["inside"]
    assert {s.path for s in scan.skipped} == {"loop-a.md", "loop-b.md"}


def test_reindex_never_indexes_a_file_from_outside(engine):
    """End to end: links out of the corpus are skipped by a real reindex, and named in its summary."""
    outside = engine.settings.corpus_dir.parent / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(GOOD_MD.format(n=1), encoding="utf-8")
    os.symlink(outside / "secret.md", engine.settings.corpus_dir / "secret.md")
    os.symlink("/proc/self/environ", engine.settings.corpus_dir / "environ.txt")
    summary = engine.reindex()
    assert summary.documents == 1 and summary.added == []
    assert {s.path for s in summary.skipped} == {"secret.md", "environ.txt"}
    assert set(engine.index.store.documents) == {"independent-2026-02-03-x-paris-raid"}
    assert not engine.ask("What is the secret plan?").answered


def test_size_limit_applies_to_scanned_files(tmp_path, monkeypatch, embedder):
    monkeypatch.setenv("CASEBOT_MAX_FILE_BYTES", "2000")
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(tmp_path / "index"))
    settings = BotSettings(_env_file=None)
    assert settings.max_file_bytes == 2000
    corpus = settings.corpus_dir
    corpus.mkdir()
    head = "---\ntitle: Sized\nsource: Test Wire\npublished: 2026-03-01\n---\n\n"

    def sized(name: str, size: int) -> None:
        body = "The pier reopened. " * (size // 10)
        text = (head + body)[: size - 1] + "\n"
        (corpus / name).write_bytes(text.encode("ascii"))
        assert (corpus / name).stat().st_size == size

    sized("at-limit.md", 2000)
    sized("over-limit.md", 2001)
    sized("huge.md", 50_000)
    os.symlink(corpus / "huge.md", corpus / "alias-of-huge.md")  # the limit follows links inside, too
    summary = CaseEngine(settings, embedder=embedder).reindex()
    assert summary.added == ["at-limit"]
    reasons = {s.path: s.reason for s in summary.skipped}
    assert set(reasons) == {"over-limit.md", "huge.md", "alias-of-huge.md"}
    assert all("too large" in r and "2,000" in r for r in reasons.values())
    FIGURES["size_checks"] += 4


def test_size_limit_applies_to_imported_files(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEBOT_MAX_FILE_BYTES", "2000")
    corpus = tmp_path / "corpus"
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(corpus))
    big, html, ok = tmp_path / "big.txt", tmp_path / "big.html", tmp_path / "ok.txt"
    big.write_text(RAW + "More text. " * 300, encoding="utf-8")
    html.write_text("<html><body><p>" + "Words. " * 400 + "</p></body></html>", encoding="utf-8")
    ok.write_text(RAW, encoding="utf-8")
    for path in (big, html):
        assert main(["import", str(path)]) == 2
        assert "too large" in capsys.readouterr().err
    assert not corpus.exists() or not any(corpus.iterdir())  # nothing written
    assert main(["import", str(ok)]) == 0 and (corpus / "ok.md").exists()
    monkeypatch.setenv("CASEBOT_MAX_FILE_BYTES", "12")  # below the floor: refused as a setting
    assert main(["import", str(ok), "--force"]) == 2
    assert "CASEBOT_MAX_FILE_BYTES" in capsys.readouterr().err
    FIGURES["size_checks"] += 3
    print(f"\nreliability: security path_escape_attempts={FIGURES['escape_attempts']} escaped=0 "
          f"size_limit_checks={FIGURES['size_checks']}")


# == 4. allowed_mentions ping nobody ===============================================================================
def _would_ping(env, message) -> bool:
    """Would Discord notify anyone for this message's content under its default mention rules?"""
    channel = env.backend.get_channel(message.channel_id)
    _u, _r, users, roles, everyone = env.backend._mention_state(
        channel, message.author_id, message.content or "", SimcordPolicy(), message.reply_author_id)
    return bool(users or roles or everyone)


class MentionEngine(LongTimelineEngine):
    """The real engine (timeline repeated onto several pages); its ask fails on demand."""

    fail = False

    def ask(self, question, k=None):
        if self.fail:
            raise RuntimeError("injected failure")
        return self._inner.ask(question, k)

    @property
    def reindex_running(self):
        return self._inner.reindex_running


async def test_every_message_the_bot_sends_pings_nobody(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = make_settings(corpus, tmp_path / "index", ask_cooldown_seconds=0)  # cooldown: see below
    inner = CaseEngine(settings, embedder=embedder)
    inner.reindex()
    engine = MentionEngine(inner, times=4)
    paths: dict[str, int] = {}

    async with running_bot(engine, settings, settle_timeout=10) as w:
        desk = w.guild.create_role("Desk", mentionable=True)
        pings = (f"@everyone @here {desk.mention} {w.colleague.mention} <@&123> <@456> "
                 f"{w.admin.mention}")
        # The article text, its title and a skipped file's name all carry the mentions.
        (corpus / "lighthouse-2026-03-02.md").write_text(
            f"---\ntitle: 'Lighthouse alert {pings}'\nsource: 'Harbour Wire {desk.mention}'\n"
            f"published: '2026-03-02'\n---\n\nOn 2 March 2026 the harbour master told {pings} that the Zorblat "
            f"lighthouse would be painted teal.\n", encoding="utf-8")
        (corpus / f"{pings}.md").write_text("", encoding="utf-8")  # skipped (empty): named in the summary

        def sweep(label: str) -> None:
            """Everything sent since the last sweep pings nobody; the path counts once it sent something."""
            nonlocal seen_bodies
            bodies = message_bodies(w.env)[seen_bodies:]
            seen_bodies += len(bodies)
            assert bodies, f"{label}: nothing was sent"
            for method, path, body in bodies:
                assert pings_nobody(body) or not (body.get("content") or body.get("embeds")), (label, method, path,
                                                                                              body)
            paths[label] = len(bodies)

        seen_bodies = len(message_bodies(w.env))
        reindex = await w.admin.slash(w.channel, "reindex")  # progress edits and summary
        assert "1 added" in reindex.response.content and "Skipped 1 file" in reindex.response.content
        sweep("/reindex progress and summary")

        question = f"What colour will the Zorblat lighthouse be painted? {pings}"
        answer = await w.reporter.slash(w.channel, "ask", question=question)
        assert "Zorblat" in all_text(answer) and desk.mention in all_text(answer)
        sweep("/ask answer")
        none = await w.colleague.slash(w.channel, "ask", question=f"What is the recipe for onion soup? {pings}")
        assert NO_ANSWER in all_text(none)
        sweep("/ask no answer")
        bad = await w.colleague.slash(w.channel, "ask", question="@everyone <@&123> ???")
        assert bad.ephemeral
        sweep("/ask unusable question")
        about = await w.reporter.slash(w.channel, "timeline", topic=f"lighthouse {pings}")
        assert "Zorblat" in all_text(about)
        sweep("/timeline with a topic")
        timeline = await w.reporter.slash(w.channel, "timeline")
        sweep("/timeline pages")
        assert timeline.response.embeds and len(timeline.response.components) > 0
        await w.reporter.click(timeline.response, label="Next ▶")
        sweep("page button turn")
        await w.colleague.click(timeline.response, label="Next ▶")
        sweep("page button, not the owner")
        await w.reporter.slash(w.channel, "timeline", since=f"<@&{desk.id}>")
        sweep("/timeline bad date (echoes the input)")
        sources = await w.reporter.slash(w.channel, "sources")
        assert "Lighthouse alert" in all_text(sources)
        sweep("/sources")
        dispatch_slash_raw(w.env, w.colleague.id, w.channel.id, "reindex", guild_id=w.guild.id)
        await w.env.settle()
        sweep("/reindex refused to a non-admin")
        engine.fail = True
        failed = await w.admin.slash(w.channel, "ask", question=question)
        assert "error id" in all_text(failed)
        sweep("/ask unexpected error")
        await w.admin.send(w.channel, f"{w.bot_mention} {question}")
        assert "error id" in w.channel.last_message.content
        sweep("mention unexpected error")
        engine.fail = False
        limiter = w.bot.ask_limiter
        w.bot.ask_limiter = AskLimiter(1, 60)  # one question a minute, for the cooldown replies
        await w.reporter.slash(w.channel, "ask", question=question)
        seen_bodies = len(message_bodies(w.env))
        cooled = await w.reporter.slash(w.channel, "ask", question=question)
        assert cooled.ephemeral and "try again" in cooled.response.content
        sweep("/ask cooldown")
        await w.reporter.send(w.channel, f"{w.bot_mention} {question}")
        assert "try again" in w.channel.last_message.content
        sweep("mention cooldown note")
        w.bot.ask_limiter = limiter
        await w.reporter.send(w.channel, f"{w.bot_mention} {question}")
        assert "Zorblat" in w.channel.last_message.content
        sweep("mention answer")
        await w.colleague.send(w.channel, f"{w.bot_mention} @everyone")
        sweep("mention, unusable question")
        await w.colleague.send(w.channel, f"{w.bot_mention}")
        sweep("bare mention hint")
        await w.colleague.user.send_dm(question)
        sweep("DM answer")
        errors = w.take_errors()
        assert {type(e).__name__ for e in errors} <= {"CommandInvokeError", "CommandOnCooldown", "NotCaseAdmin",
                                                     "UserFacingError"}

        # Who would have been notified: the members' own messages do ping (so the check is not vacuous); none
        # of the bot's do, though most carry the very same mentions.
        own = [m for m in stored_messages(w.env) if m.author_id == w.reporter.id and desk.mention in m.content]
        assert own and all(desk.id in m.ping_role_ids and w.colleague.id in m.ping_user_ids for m in own)
        sent = bot_messages(w.env)
        carrying = [m for m in sent if _would_ping(w.env, m)]
        assert len(carrying) >= 8, "too few bot messages carried mentions for the sweep to mean anything"
        for m in sent:
            assert not m.ping_user_ids and not m.ping_role_ids and not m.mention_everyone, m
    FIGURES["send_paths"], FIGURES["bot_messages"] = len(paths), len(sent)
    print(f"\nreliability: security allowed_mentions send_paths={len(paths)} bodies={sum(paths.values())} "
          f"bot_messages={len(sent)} carrying_mentions={len(carrying)} pinged=0")


def test_zz_report_security_figures():
    """Runs last in this module: one line of figures for RELIABILITY.md."""
    print(f"\nreliability: security admin_refusal_paths={FIGURES['refusal_paths']} reindexes_by_non_admins=0 "
          f"token_greps={FIGURES['token_greps']} token_leaks=0 path_escape_attempts={FIGURES['escape_attempts']} "
          f"escaped=0 size_limit_checks={FIGURES['size_checks']} mention_send_paths={FIGURES['send_paths']} "
          f"bot_messages_checked={FIGURES['bot_messages']} pings=0 "
          "bugs_found_and_fixed=4 (token echoed from a wrong variable; token in logged tracebacks; import wrote "
          "through a corpus link; a symlink loop crashed the scan)")
