"""Helpers for the sweep tests: run the CLI of the package under test in a subprocess, and wait
for events — a file appearing, a process exiting — with a generous overall timeout. A wait that
times out fails the test with what it was waiting for; no test asserts how long anything took."""

from __future__ import annotations

import os
import select
import sys
import time
from pathlib import Path
from typing import Callable

import psutil
import pytest

import interlock

ROOT = Path(interlock.__file__).resolve().parents[1]
WAIT = 300.0             # overall timeout of a wait: generous, a loaded 2-core machine is slow


def cli_env() -> dict[str, str]:
    """The environment for subprocesses: they import this checkout of interlock."""
    return dict(os.environ, PYTHONPATH=str(ROOT))


def interlock_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "interlock.cli", *map(str, args)]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT, process=None,
             interval: float = 0.05) -> None:
    """Return as soon as `condition()` holds. Fail if `timeout` seconds pass first, or if `process`
    (a Popen that should produce the event) exits first — with its exit code in the message."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the process exited with code {process.returncode} before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def wait_for_exit(procs: list[psutil.Process], what: str, timeout: float = WAIT) -> None:
    """Block until every process in `procs` has exited (children or not: Linux pidfds become
    readable when the process terminates, zombie or reaped). Fail after `timeout` seconds."""
    fds = []
    try:
        for p in procs:
            try:
                fds.append(os.pidfd_open(p.pid))
            except ProcessLookupError:               # already gone and reaped
                continue
        deadline = time.monotonic() + timeout
        pending = set(fds)
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"timed out after {timeout:g} s waiting for {what} "
                            f"({len(pending)} of {len(procs)} processes still running)")
            ready, _, _ = select.select(list(pending), [], [], left)
            pending -= set(ready)
    finally:
        for fd in fds:
            os.close(fd)
