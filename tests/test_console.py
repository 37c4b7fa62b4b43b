"""The local console: the bot's commands in a terminal, on the same core, driven through a real pseudo-terminal."""
import fcntl
import os
import pty
import select
import subprocess
import termios
import time

import pytest

from bot.console import handle

from .conftest import ROOT


def _read_until(fd: int, needle: str, timeout: float = 180.0) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {needle!r}; got:\n{seen[-2000:]}")
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk.decode("utf-8", "replace")
    return seen


def test_console_in_a_terminal_answers_with_the_quote(corpus_copy, tmp_path):
    env = dict(os.environ, CASEBOT_CORPUS_DIR=str(corpus_copy), CASEBOT_INDEX_DIR=str(tmp_path / "index"),
               HOME=str(tmp_path), TERM="dumb", COLUMNS="200")
    main_fd, child_fd = pty.openpty()

    def own_terminal():  # as a shell starts it: its own session, the pseudo-terminal as its controlling terminal,
        os.setsid()      # so that Ctrl-C and Ctrl-D typed there reach it as they would from a keyboard
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "casebot"), "console"], stdin=child_fd, stdout=child_fd,
                            stderr=child_fd, env=env, cwd=tmp_path, close_fds=True, preexec_fn=own_terminal)
    os.close(child_fd)
    try:
        banner = _read_until(main_fd, "casebot> ")
        assert "/ask" in banner and "/timeline" in banner and "/help" in banner  # the help line
        os.write(main_fd, b"/ask when must Musk appear?\n")
        out = _read_until(main_fd, "casebot> ")
        assert "summoned by prosecutors to appear in April" in out
        assert "The Independent" in out and "paragraph 2" in out
        os.write(main_fd, b"/sources\n")
        assert "The Independent" in _read_until(main_fd, "casebot> ")
        # Ctrl-C while typing drops the line, at any point of it, and the console goes on.
        for typed in (b"/ask who raided", b"/reindex", b"", b"/ask when must Musk appear? count:"):
            # Typed as a person types, not in the microseconds after the prompt shows: CPython's readline notices
            # a signal only when it interrupts its wait for a key, so a Ctrl-C landing between the prompt and
            # that wait (a window a loaded machine widens) is acted on at the next key, not at once.
            time.sleep(0.5)
            os.write(main_fd, typed + b"\x03")
            out = _read_until(main_fd, "casebot> ")
            assert proc.poll() is None, out
            assert "Indexed" not in out and "Index up to date" not in out and "[1]" not in out
        os.write(main_fd, b"/sources\n")
        assert "1 article(s) in the index" in _read_until(main_fd, "casebot> ")
        # Ctrl-D on an empty line leaves, as in a shell (and /quit, tested below).
        os.write(main_fd, b"\x04")
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main_fd)
    # History is kept between sessions.
    assert "/ask when must Musk appear?" in (tmp_path / ".casebot_history").read_text()


@pytest.mark.parametrize("line, expected", [
    ("/ask When must Musk appear?", "summoned by prosecutors to appear in April"),
    ("When must Musk appear?", "summoned by prosecutors to appear in April"),
    ("/ask question:When must Musk appear? count:1", "[1]"),
    ("/ask What is the recipe for French onion soup?", "The corpus has no answer to that."),
    ("/ask    ", "empty"),
    ("/timeline", "2026-04"),
    ("/timeline topic:\"Grok images\"", "mid-January"),
    ("/timeline since:2026-13-01", "Could not read"),
    ("/help", "/reindex"),
    ("/frobnicate", "Unknown command"),
])
def test_console_commands(bundled_engine, line, expected):
    assert expected in handle(bundled_engine, line)


def test_console_count_option_limits_answers(bundled_engine):
    assert "[2]" not in handle(bundled_engine, "/ask question:\"What did X say?\" count:1")


def test_console_quit(bundled_engine):
    assert handle(bundled_engine, "/quit") is None
