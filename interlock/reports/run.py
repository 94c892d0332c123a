"""A run folder with its figures: the tables and summary written by the runner, plus the dashboard."""

from __future__ import annotations

from pathlib import Path

from ..experiments.run_folder import RunResult
from ..experiments.run_folder import write_run as write_tables
from ..viz.dashboard import dashboard


def write_run(result: RunResult, out_dir: str | Path, figures: bool = True, force: bool = False) -> Path:
    """Write `result` to `out_dir` (atomically and only over a run folder or an empty one, see
    `experiments.run_folder.write_run`) with `dashboard.png` unless `figures` is false."""
    if not figures:
        return write_tables(result, out_dir, force=force)
    return write_tables(result, out_dir, force=force,
                        also=lambda folder: dashboard(result, folder / "dashboard.png"))
