"""Which torch device the embedding model runs on: CASEBOT_DEVICE=auto|cpu|cuda|mps.

The default install is CPU-only torch, so `auto` means the CPU there; a newsroom that installs a CUDA build of
torch gets its GPU without further settings. Asking for a device torch cannot see is a setting error, raised at
start with the setting's name, never a silent fall back to the CPU (a reindex 10-75x slower than planned).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

DEVICES = ("auto", "cpu", "cuda", "mps")


class DeviceUnavailable(ValueError):
    """CASEBOT_DEVICE names a device this machine's torch cannot use."""


@dataclass(frozen=True)
class Accelerators:
    """What torch sees on this machine."""

    cuda: bool
    mps: bool


def probe() -> Accelerators:
    """Ask torch (imported here: only a device setting that needs it pays for the import)."""
    import torch

    mps = getattr(torch.backends, "mps", None)
    return Accelerators(cuda=bool(torch.cuda.is_available()), mps=bool(mps is not None and mps.is_available()))


def resolve_device(requested: str, seen: Callable[[], Accelerators] | None = None) -> str:
    """The torch device string for a CASEBOT_DEVICE value: "cpu", "cuda" or "mps".

    `auto` picks CUDA, then MPS, then the CPU. `seen` stands in for asking torch (default `probe`). Raises DeviceUnavailable (naming CASEBOT_DEVICE) for "cuda" or
    "mps" when torch cannot use it, and for a value that is no device.
    """
    name = requested.strip().lower()
    if name not in DEVICES:
        raise DeviceUnavailable(f"CASEBOT_DEVICE must be one of {', '.join(DEVICES)}")
    if name == "cpu":
        return "cpu"
    found = (seen or probe)()  # looked up at call time, so tests can stand in for torch
    if name == "auto":
        return "cuda" if found.cuda else "mps" if found.mps else "cpu"
    if name == "cuda" and not found.cuda:
        raise DeviceUnavailable(
            "CASEBOT_DEVICE=cuda but torch sees no CUDA GPU here (no GPU, no driver, or the CPU-only torch of the "
            "default install); set CASEBOT_DEVICE to auto or cpu, or install a CUDA build of torch")
    if name == "mps" and not found.mps:
        raise DeviceUnavailable(
            "CASEBOT_DEVICE=mps but torch sees no Apple GPU (MPS) here; set CASEBOT_DEVICE to auto or cpu")
    return name
