"""`casebot console`: the bot's slash commands in a local terminal, on the same engine and wording."""
from __future__ import annotations

import re
import sys
import weakref
from datetime import date
from pathlib import Path

from retrieval.engine import CaseEngine

from bot.console_cases import COMMANDS as CASE_COMMANDS

HELP = ("Commands: /ask QUESTION [count:N] · /timeline [topic:TEXT] [since:YYYY-MM-DD] [until:YYYY-MM-DD] · "
        "/sources · /reindex · /case [NAME] · /add URL_OR_FILE · /remove DOC_ID · /feedback good|bad|should-abstain|has-answer [N] · /help · /quit   "
        "(a line without a command is asked as a question)")


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


def handle(engine: CaseEngine, line: str, *, session=None) -> str | None:
    """The console's reply to one line; None means quit. `session` (bot.console_cases) adds the case commands."""
    from retrieval.indexer import NoArticles, ReindexBusy
    from retrieval.question import BadQuestion

    from bot.render_text import QUEUED_NOTE, render_answer, render_sources, render_summary, render_timeline

    line = line.strip()
    if not line:
        return ""
    if line in {"/quit", "/exit", "quit", "exit"}:
        return None
    command, _, rest = line.partition(" ") if line.startswith("/") else ("/ask", "", line)
    if session is not None and command in CASE_COMMANDS:
        return session.handle(command, rest)
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
            index = engine.index  # the build this answer comes from, even if a /reindex follows before the vote
            result = engine.ask(question, count)
            _LAST_ANSWER[engine] = (result, index)
            return render_answer(result)
        if command == "/feedback":
            # Votes go to the one store the bot and `casebot feedback export` read (the root index folder), under
            # the case the console is in, not into the case's own index folder.
            return console_feedback(engine, rest, case=session.case if session else None,
                                    store_dir=session.registry.settings.index_dir if session else None)
        if command == "/timeline":
            text, opts = _options(rest)
            topic = opts.get("topic") or text or None
            since = date.fromisoformat(opts["since"]) if "since" in opts else None
            until = date.fromisoformat(opts["until"]) if "until" in opts else None
            return render_timeline(engine.timeline(query=topic, since=since, until=until))
        if command == "/sources":
            return render_sources(engine.sources())
        if command == "/reindex":
            # Behind a reindex already running (the bot's, or `casebot reindex`): say so at once, then queue.
            return render_summary(engine.reindex(wait=True, on_queued=lambda: print(QUEUED_NOTE, file=sys.stderr,
                                                                                     flush=True)))
    except BadQuestion as exc:
        return str(exc)
    except ValueError as exc:
        return f"Could not read that: {exc}"
    except (ReindexBusy, NoArticles, FileNotFoundError) as exc:
        return str(exc)
    return f"Unknown command {command}. {HELP}"


# The console's last answer (with the index that gave it), per engine: what `/feedback` votes on.
_LAST_ANSWER: "weakref.WeakKeyDictionary[CaseEngine, tuple]" = weakref.WeakKeyDictionary()
_RECORDED: "weakref.WeakKeyDictionary[CaseEngine, tuple[object, str]]" = weakref.WeakKeyDictionary()


def console_feedback(engine: CaseEngine, rest: str, *, case: str | None = None, store_dir: Path | None = None) -> str:
    """`/feedback VERDICT [N]` on the console's last answer, stored as the bot's buttons store it: in `store_dir`
    (the root index folder; the engine's own folder when not given) under `case`."""
    import getpass

    from retrieval.feedback import VERDICTS, BadVote, FeedbackStore, describe_vote, record_reply

    words = rest.split()
    if not words or words[0] not in VERDICTS or len(words) > 2 or (len(words) == 2 and not words[1].isdigit()):
        return f"Usage: /feedback {'|'.join(VERDICTS)} [N]  (N: which quote of the last answer is right)"
    last = _LAST_ANSWER.get(engine)
    if last is None:
        return "Ask something first: /feedback is about the last answer."
    result, index = last
    store = FeedbackStore(store_dir or engine.settings.index_dir)
    recorded = _RECORDED.get(engine)
    if recorded is None or recorded[0] is not result:  # the first vote on an answer stores it
        record = record_reply(store, index, result, case=case)
        _RECORDED[engine] = recorded = (result, record.answer_id)
    try:
        outcome = store.vote(recorded[1], f"console:{_login(getpass)}", words[0],
                             int(words[1]) if len(words) == 2 else None)
    except BadVote as exc:
        return str(exc)
    what = describe_vote(outcome.vote.verdict, outcome.vote.quote)
    changed = f" (changed from {outcome.previous})" if outcome.previous else ""
    return f"Feedback stored: {what}{changed}. `casebot feedback export` turns votes into eval questions."


def _login(getpass) -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user with no name: one console voter
        return "console"


def run_console(engine: CaseEngine, stdin=None, stdout=None, *, session=None) -> int:
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
    if session is not None and session.banner():
        print(session.banner(), file=stdout, flush=True)
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
            reply = handle(session.engine if session is not None else engine, line, session=session)
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
