"""`casebot console`: the bot's slash commands in a local terminal, on the same engine and wording."""
from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

from retrieval.engine import CaseEngine

HELP = ("Commands: /ask QUESTION [count:N] · /timeline [topic:TEXT] [since:YYYY-MM-DD] [until:YYYY-MM-DD] · "
        "/sources · /reindex · /help · /quit   (a line without a command is asked as a question)")


_OPTION = re.compile(r"(?:^|\s)(count|topic|since|until|question):")


def _options(text: str) -> tuple[str, dict[str, str]]:
    """Discord's own notation, `question:When must Musk appear? count:2`: an option runs to the next option;
    text before the first option is free text."""
    marks = list(_OPTION.finditer(text))
    free = text[: marks[0].start()] if marks else text
    opts = {}
    for i, m in enumerate(marks):
        value = text[m.end(): marks[i + 1].start() if i + 1 < len(marks) else len(text)].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if value:
            opts[m.group(1)] = value
    free = free.strip()
    if len(free) >= 2 and free[0] == free[-1] and free[0] in "\"'":
        free = free[1:-1]
    return free, opts


def handle(engine: CaseEngine, line: str) -> str | None:
    """The console's reply to one line; None means quit."""
    from retrieval.indexer import NoArticles, ReindexBusy
    from retrieval.question import BadQuestion

    from bot.render_text import render_answer, render_sources, render_summary, render_timeline

    line = line.strip()
    if not line:
        return ""
    if line in {"/quit", "/exit", "quit", "exit"}:
        return None
    command, _, rest = line.partition(" ") if line.startswith("/") else ("/ask", "", line)
    try:
        if command == "/help":
            return HELP
        if command == "/ask":
            text, opts = _options(rest)
            question = opts.get("question", text)
            count = None
            if "count" in opts:
                if not opts["count"].isdigit() or not 1 <= int(opts["count"]) <= 20:
                    return "count: give a number of answers from 1 to 20."
                count = int(opts["count"])
            return render_answer(engine.ask(question, count))
        if command == "/timeline":
            text, opts = _options(rest)
            topic = opts.get("topic") or text or None
            since = date.fromisoformat(opts["since"]) if "since" in opts else None
            until = date.fromisoformat(opts["until"]) if "until" in opts else None
            return render_timeline(engine.timeline(query=topic, since=since, until=until))
        if command == "/sources":
            return render_sources(engine.sources())
        if command == "/reindex":
            return render_summary(engine.reindex())
    except BadQuestion as exc:
        return str(exc)
    except ValueError as exc:
        return f"Could not read that: {exc}"
    except (ReindexBusy, NoArticles, FileNotFoundError) as exc:
        return str(exc)
    return f"Unknown command {command}. {HELP}"


def run_console(engine: CaseEngine, stdin=None, stdout=None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    if interactive:
        try:
            import readline

            history = Path.home() / ".casebot_history"
            try:
                readline.read_history_file(history)
            except OSError:
                pass
            import atexit

            atexit.register(lambda: _save_history(readline, history))
        except ImportError:
            pass
    print(f"casebot console — {len(engine.sources())} article(s) indexed. {HELP}", file=stdout, flush=True)
    if interactive:
        print("Ctrl-C drops the line being typed (or stops the command running); Ctrl-D or /quit leaves.",
              file=stdout, flush=True)
    while True:
        try:
            line = input("casebot> ") if interactive else stdin.readline()
        except KeyboardInterrupt:
            # As in a shell: Ctrl-C drops the line being typed and gives a fresh prompt.
            print(file=stdout, flush=True)
            continue
        except EOFError:  # Ctrl-D on an empty line
            if interactive:
                print(file=stdout, flush=True)
            break
        if not interactive and line == "":
            break
        try:
            reply = handle(engine, line)
        except KeyboardInterrupt:
            print("\n(stopped)", file=stdout, flush=True)
            continue
        if reply is None:
            break
        if reply:
            print(reply, file=stdout, flush=True)
    return 0


def _save_history(readline, path: Path) -> None:
    try:
        readline.write_history_file(path)
    except OSError:
        pass
