"""A run folder with its figures: the tables and summary written by the runner, plus the dashboard."""

from __future__ import annotations

from pathlib import Path

from ..experiments.runner import RunResult
from ..experiments.runner import write_run as write_tables
from ..viz.dashboard import dashboard


def write_run(result: RunResult, out_dir: str | Path, figures: bool = True) -> Path:
    """Write `result` to `out_dir` (atomically, see `experiments.runner.write_run`) with
    `dashboard.png` unless `figures` is false."""
    if not figures:
        return write_tables(result, out_dir)
    return write_tables(result, out_dir, also=lambda folder: dashboard(result, folder / "dashboard.png"))
