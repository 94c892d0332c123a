"""A run's folder: `RunResult` (what a run produced), `write_run` (its tables and summary.json,
atomically and only over what is ours) and `read_run` (back, with every way a folder can be
damaged an `InputError` naming the file). It draws nothing: `interlock.reports.run.write_run`
adds the dashboard.

The rules (`experiments.outputs`): the folder is written to a temporary sibling and swapped in
only once complete; it replaces only an empty folder or a complete run folder holding nothing a
run does not write (`force=True` replaces any folder but the home folder, `/` and the working
directory); one writer at a time (a lock file beside the folder, waited for up to
`WRITE_WAIT_S`); temporaries left by a killed writer are removed on the next write beside them."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pyarrow as pa

from ..config import Params
from ..errors import InputError
from ..io import PARQUET_OPTS, dumps_json
from .outputs import RUN_SUMMARY_KEYS, check_output, clean_stale, sibling_lock, temp_prefix

WRITE_WAIT_S = 600.0          # a second writer of the same run folder waits this long for the first
TABLES = ("timeseries", "flows", "events")


@dataclass
class RunResult:
    """Everything a run produced. Tables are pandas DataFrames; `summary` is JSON-ready."""

    scenario: str
    seed: int
    days: int
    params: Params
    timeseries: pd.DataFrame
    flows: pd.DataFrame
    events: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def assets(self) -> list[str]:
        return self.summary.get("asset_names", [])


def write_run(result: RunResult, out_dir: str | Path, *, also: Callable[[Path], Any] | None = None,
              force: bool = False) -> Path:
    """Write a run's tables and summary.json atomically: everything goes to a temporary sibling
    folder that replaces `out_dir` only once complete, so a failure (or Ctrl-C) leaves the folder as
    it was. `also(folder)` writes more files into that folder before it replaces `out_dir` (how the
    reports layer adds the dashboard). Refuses (InputError) to replace a folder that is not a run
    folder, unless `force`."""
    out = Path(out_dir)
    check_output(out, ("run",), force=force, replace=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    with sibling_lock(out).acquire(wait=WRITE_WAIT_S):
        check_output(out, ("run",), force=force, replace=True)    # again, now that we are the writer
        clean_stale(out.parent)
        tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(out), dir=out.parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)             # mkdtemp makes 0700; a run folder is ordinary
        old = None
        try:
            for name in TABLES:
                getattr(result, name).to_parquet(tmp / f"{name}.parquet", **PARQUET_OPTS)
            summary = dict(result.summary)
            summary["config"] = result.params.values
            (tmp / "summary.json").write_text(dumps_json(summary), encoding="utf-8")
            if also is not None:
                also(tmp)
            if out.exists():
                old = Path(tempfile.mkdtemp(prefix=temp_prefix(out, "old"), dir=out.parent))
                os.replace(out, old / "run")
            os.replace(tmp, out)
        except BaseException:
            if old is not None and not out.exists():
                os.replace(old / "run", out)      # put the old run back
            shutil.rmtree(tmp, ignore_errors=True)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return out


def _damaged(path: Path, why: str) -> InputError:
    return InputError(f"is damaged ({why})", file=str(path),
                      allowed="a run folder written by `interlock run`; run it again")


def read_run(run_dir: str | Path) -> RunResult:
    """Load a written run back (for plotting and analysis). A missing or damaged file is an
    InputError naming it."""
    d = Path(run_dir)
    if not d.is_dir():
        raise InputError("no such folder", file=str(d))
    sp = d / "summary.json"
    if not sp.is_file():
        raise InputError("not a run directory (no summary.json)", file=str(d))
    try:
        summary = json.loads(sp.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise _damaged(sp, "not UTF-8 text") from None
    except ValueError as e:
        raise _damaged(sp, f"not JSON: {e}") from None
    except OSError as e:
        raise InputError(f"cannot be read ({e.strerror})", file=str(sp)) from None
    if not isinstance(summary, dict):
        raise _damaged(sp, "not a JSON object")
    missing = [k for k in RUN_SUMMARY_KEYS if k not in summary]
    if missing:
        raise _damaged(sp, f"no {', '.join(missing)}")
    config = summary.get("config", {})
    if not isinstance(config, dict):
        raise _damaged(sp, "config is not a table")
    tables = {}
    for name in TABLES:
        p = d / f"{name}.parquet"
        if not p.is_file():
            raise InputError("is missing", file=str(p), allowed="a run folder written by `interlock run`")
        try:
            tables[name] = pd.read_parquet(p)
        except (OSError, ValueError, pa.ArrowException) as e:
            raise _damaged(p, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from None
    ts = tables["timeseries"]
    if "day" not in ts.columns or not len(ts):
        raise _damaged(d / "timeseries.parquet", "no rows or no `day` column")
    return RunResult(summary["scenario"], summary["seed"], summary["days"], Params(config),
                     tables["timeseries"], tables["flows"], tables["events"], summary)
