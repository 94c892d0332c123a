"""Helpers for the bad-input tests: run the CLI in-process and check the contract — exit code 2,
one line on stderr that starts with "error:" and names the file or key, no traceback, and
nothing new (nor changed, nor removed) on disk."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from interlock.cli import cli

GOOD_SCENARIO = {
    "name": "fuzz",
    "title": "a scenario for the bad-input tests",
    "narrative": {"what": "w", "look_at": "l"},
    "source": {"note": "001"},
    "run": {"days": 5, "seed": 1},
}


def invoke(*args, cwd: Path):
    """`interlock ARGS` in-process, in `cwd` (stdout and stderr kept apart)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, [str(a) for a in args])
    finally:
        os.chdir(old)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file and folder under `root` with its size and modification time."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            out[str(p.relative_to(root))] = (st.st_size if p.is_file() else -1, st.st_mtime_ns)
    return out


def assert_contract(res, before: dict, root: Path, *needles: str) -> None:
    """Exit code 2, one stderr line starting with "error:" and holding every needle, no traceback,
    and `root` exactly as it was."""
    err = res.stderr.strip()
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    assert isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    after = snapshot(root)
    assert after == before, {"new": sorted(set(after) - set(before)), "gone": sorted(set(before) - set(after)),
                             "changed": sorted(k for k in set(after) & set(before) if after[k] != before[k])}
