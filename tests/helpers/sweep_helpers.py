"""Helpers for the sweep tests: run the CLI of the package under test in a subprocess."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import interlock

ROOT = Path(interlock.__file__).resolve().parents[1]


def cli_env() -> dict[str, str]:
    """The environment for subprocesses: they import this checkout of interlock."""
    return dict(os.environ, PYTHONPATH=str(ROOT))


def interlock_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "interlock.cli", *map(str, args)]
