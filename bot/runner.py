"""Starting the Discord bot from the command line, and what must be ready before it connects.

Everything that can fail for a reason a restart cannot fix (settings, folders, the model, the corpus) is checked
before casebot logs in to Discord, so a broken setup never connects, fails and connects again under a restart
policy. An empty corpus folder is the normal first start of a new deployment: `run` creates the folders and
waits for articles instead of exiting.
"""
from __future__ import annotations

import os
import signal
import sys
import tempfile
from pathlib import Path

EXIT_CONFIG = 2


class StartProblem(RuntimeError):
    """A setting or folder that stops casebot from starting; the message names the setting and what to do."""


def _owner_hint() -> str:
    uid = os.getuid() if hasattr(os, "getuid") else None
    if uid is None:
        return ""
    return (f" casebot runs as user id {uid}: give it the folder (e.g. `sudo chown -R {uid}:{uid} FOLDER` on the "
            "host for a Docker bind mount).")


def prepare_folders(corpus_dir: Path, index_dir: Path) -> list[Path]:
    """Create the corpus and index folders when missing, and check that casebot can use them.

    Returns the folders it created. Raises StartProblem naming CASEBOT_CORPUS_DIR or CASEBOT_INDEX_DIR when a
    folder cannot be created, read (corpus) or written (index); never anything else.
    """
    created = []
    for name, folder in (("CASEBOT_CORPUS_DIR", corpus_dir), ("CASEBOT_INDEX_DIR", index_dir)):
        if folder.is_dir():
            continue
        if folder.exists():
            raise StartProblem(f"{name} ({folder}) is a file, not a folder: point {name} at a folder.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StartProblem(f"cannot create the folder {name} names ({folder}): {exc.strerror or exc}."
                               + _owner_hint()) from None
        created.append(folder)
    if not os.access(corpus_dir, os.R_OK | os.X_OK):
        raise StartProblem(f"cannot read the corpus folder CASEBOT_CORPUS_DIR ({corpus_dir})." + _owner_hint())
    try:
        with tempfile.TemporaryFile(dir=index_dir):
            pass
    except OSError as exc:
        raise StartProblem(f"cannot write to the index folder CASEBOT_INDEX_DIR ({index_dir}): "
                           f"{exc.strerror or exc}." + _owner_hint()) from None
    return created


def wait_for_stop(message: str) -> None:
    """Print `message` to stderr, then block until SIGTERM or SIGINT (what `docker stop` and Ctrl-C send).

    The signals are blocked before the message, so one sent as soon as it shows is not lost."""
    signals = {signal.SIGTERM, signal.SIGINT}
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        print(f"casebot: {message}", file=sys.stderr, flush=True)
        signal.sigwait(signals)
    else:  # pragma: no cover - Windows
        print(f"casebot: {message}", file=sys.stderr, flush=True)
        try:
            while True:
                signal.pause() if hasattr(signal, "pause") else __import__("time").sleep(3600)
        except KeyboardInterrupt:
            pass


def run_bot(settings) -> int:
    if settings.discord_token is None:
        print("casebot: no Discord token: set CASEBOT_DISCORD_TOKEN (in the environment or .env) to run the bot, "
              "or use `casebot console` to use the same commands locally.", file=sys.stderr)
        return EXIT_CONFIG
    from bot.discord_app import run_discord

    return run_discord(settings)


def load_model(engine) -> None:
    """Load the embedding model now (it is loaded once per process), so that its failure is told apart from the
    corpus's and the index's."""
    _ = engine.embedder


def describe_model_error(exc: BaseException) -> str:
    from retrieval.model_packages import ModelNotInstalled

    if isinstance(exc, ModelNotInstalled):  # it names the setting and what to run
        return str(exc)
    return (f"could not load the embedding model that CASEBOT_MODEL names ({type(exc).__name__}: {exc}). Set "
            "CASEBOT_MODEL to a sentence-transformers model folder, or leave it unset for the packaged "
            "all-MiniLM-L6-v2.")
