"""Sweeps: many runs of the one runner (`runner.run`) on a local process pool, in this process, or
on a Dask cluster — streamed to disk as they finish, resumable after Ctrl-C or kill -9, identical
whichever executor ran them.

The API (small on purpose; `interlock sweep` and `interlock stress` both sit on it)::

    from interlock.experiments.sweeps.engine import Job, execute, run_sweep, read_params, read_summary

    # a spec file (see sweeps.spec) → its runs → DIR
    report = run_sweep("sweeps/leverage.toml", "runs/leverage", workers=None, dask=None, resume=False)

    # any list of runs → DIR (what narrative stress tests use)
    jobs = [Job(run_id=i, point_id=i // 4, scenario=sc, overrides={"vol_target.aum": aum},
                seed=1 + i % 4, days=252, disabled=("cta",)) for i, (sc, aum) in enumerate(...)]
    report = execute(jobs, "runs/stress", metrics="mypkg.stress:stress_metrics", workers=2)
    summary = read_summary("runs/stress")        # one row per run, sorted by run_id

`Job(run_id, point_id, scenario, overrides, seed, days, disabled=(), amplification=False,
model="interlock.experiments.runner:run")` is one run. `scenario` is a shipped name, a path or a
`Scenario` object (a Scenario travels with the job, so remote workers need no scenario files);
`model` is the per-run function as "module:function", with `runner.run`'s signature and a
`RunResult` back — the default is the runner; `interlock.experiments.sweeps.ishigami:run` is the test
model with known Sobol' indices. run_ids must be distinct; they order every output table.

`execute(jobs, out_dir, *, metrics=None, timeseries_every=None, timeseries_columns=None,
workers=None, dask=None, resume=False, progress=True, runs_per_task=None, flush_seconds=5.0,
timeout=600.0, files=None, meta=None, desc="sweep") -> SweepReport` runs them; `run_sweep(spec,
out_dir, *, workers=None, dask=None, resume=False, progress=True, **execute_options)` does it for a
spec file; `read_params`, `read_summary`, `read_runs` (both joined), `read_timeseries` and
`read_manifest` read a sweep folder back, finished or not.

`metrics` turns a `RunResult` into the run's row: a module-level function (or "module:function",
or a picklable callable object), importable on every worker, returning a dict of numbers or text,
nested dicts allowed (flattened with dots). The default, `summary_metrics`, flattens the run's summary:
`SPX.max_drawdown`, `peak_VOL_1M`, `net_flow_by_class_bn.cta`, … `timeseries_every=k` also keeps
every k-th day of the time series (`timeseries_columns` to choose columns).

Outputs in DIR: `params.parquet` (run_id, point_id, seed, scenario, days, disabled and one column
per overridden key path; written before the first run), `summary.parquet` (run_id, point_id, seed,
status "ok"/"failed", error, then the metric columns in sorted order; one row per run),
`timeseries/part-NNNNNN.parquet` (run_id, day, date, columns; blocks of run_ids), `manifest.json`
(status, counts, versions, executor, timing) and, for a spec, `spec.toml` (the validated spec).

How it stays correct:
- Finished runs are buffered and written every `flush_seconds` as part files under DIR/parts/,
  each written to a temporary name and renamed (atomic), time series before summary: a summary
  part is the commit record of its runs. Results are never held in memory beyond that (the plan,
  one small row per run, is), and each run releases its model, so memory stays flat.
- `resume=True` reads the committed run_ids, drops uncommitted leftovers and runs only the
  missing ones; the plan (jobs + output options) must hash to the one in the manifest.
- At the end the parts are consolidated deterministically (sorted by run_id, columns sorted),
  so the final tables are the same for one uninterrupted sweep, an interrupted-and-resumed one,
  and any executor. Wall-clock facts (timings, executor) live only in the manifest.
- A run that raises becomes a "failed" row with its error; its parameters are in params.parquet.
  A failure of the machinery (a worker dying, a task that cannot be unpickled, no result for
  `timeout` seconds) aborts with `SweepAborted`; finished runs are kept for `--resume`.
- Many runs per task: the batch size adapts so a task takes about a second (per-task overhead is
  milliseconds); `runs_per_task` fixes it.
- The local pool forks its workers (or uses a forkserver when this process runs threads); they
  ignore Ctrl-C (the sweep process handles it and stops them) and exit if the sweep process dies.
- Dask: `dask="tcp://host:port"` connects to an existing scheduler. Workers must be able to import
  this package at the same version (it is checked with a probe task, with timeouts, before the
  sweep: a worker that cannot import a task's module would otherwise hang silently).
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import hashlib
import json
import logging
import math
import multiprocessing as mp
import os
import shutil
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import tomli_w
from tqdm import tqdm

from ..._version import __version__
from ...errors import InputError
from ...io import PARQUET_OPTS, atomic_write, dumps_json
from ..runner import build_model, package_versions
from ..scenarios import outside_warning
from ..outputs import LOCK_NAME, FolderLock, check_writable, remove_if_empty
from ..stability import count_unstable
from .jobs import (LEAD, MODELS, RUNNER, Job, RunOptions, check_metrics_ref, resolve, run_batch,  # noqa: F401 (the API)
                   summary_metrics)
from .spec import SweepSpec, load_spec, spec_hash

PLAN_COLUMNS = ["run_id", "point_id", "seed", "scenario", "days", "disabled"]
FORMAT = 1
TS_RUNS_PER_FILE = 256            # consolidated time-series files hold blocks of run_ids
TASK_SECONDS = 1.0                # adaptive batches aim at this much work per task
log = logging.getLogger(__name__)


class SweepAborted(RuntimeError):
    """The machinery failed (not a run): finished runs are on disk; rerun with resume."""


@dataclass
class SweepReport:
    """What `execute` / `run_sweep` did."""

    out_dir: Path
    status: str                       # complete | interrupted | aborted
    runs: int
    ok: int
    failed: int
    ran_now: int
    elapsed_s: float
    executor: dict = field(default_factory=dict)
    quarantined: list = field(default_factory=list)   # damaged parts moved aside; their runs were redone
    unstable: int = 0                 # successful runs whose summary says a guard bound (stability.stable = 0)

    @property
    def runs_per_s(self) -> float:
        return self.ran_now / self.elapsed_s if self.elapsed_s > 0 else float("nan")


def _probe() -> dict:
    """Run on a Dask worker before a sweep: proves it can import this package, and which version."""
    resolve(RUNNER)
    return {"interlock": __version__, "versions": package_versions()}


# ----- executors: one process, a local pool, a Dask cluster ---------------------------------------
class _Inline:
    """Runs each task when it is submitted, in this process."""

    slots = 1
    window = 1                        # tasks in flight: computed at submit, collected at once

    def __init__(self):
        self.info = {"kind": "one process", "workers": 1}

    def submit(self, fn, *args) -> cf.Future:
        f: cf.Future = cf.Future()
        try:
            f.set_result(fn(*args))
        except Exception as e:
            f.set_exception(e)
        return f

    def wait(self, futures, timeout):
        return {f for f in futures if f.done()}

    def close(self, interrupted: bool) -> None:
        pass


def _watch_parent(pid: int, started: float) -> None:
    # A pool worker whose sweep process vanished (kill -9) exits instead of lingering. It watches
    # the sweep process itself: its direct parent, the forkserver, lives as long as its workers.
    while True:
        time.sleep(1.0)
        try:
            p = psutil.Process(pid)
            alive = p.create_time() == started and p.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            alive = False
        if not alive:
            os._exit(1)


def _worker_init(parent: tuple[int, float], log_levels: dict[str, int]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C is the parent's to handle
    for name, level in log_levels.items():            # log as quietly as the parent does
        logging.getLogger(name or None).setLevel(level)
    threading.Thread(target=_watch_parent, args=parent, daemon=True).start()


def _ready() -> int:
    return os.getpid()


class _Pool:
    """A local process pool. Workers are forked from this process when it runs no other thread
    (instant start, everything already imported), else started by a forkserver that has the
    runner preloaded (forking a threaded process can copy a held lock); spawn where neither exists."""

    def __init__(self, workers: int):
        methods = mp.get_all_start_methods()
        if "fork" in methods and threading.active_count() == 1:
            method = "fork"
        else:
            method = "forkserver" if "forkserver" in methods else "spawn"
        ctx = mp.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload([__name__, "interlock.experiments.runner"])
        self.slots = workers
        self.window = 2 * workers
        levels = {n: logging.getLogger(n or None).getEffectiveLevel() for n in ("", "interlock")}
        me = (os.getpid(), psutil.Process().create_time())
        self.pool = cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init,
                                           initargs=(me, levels))
        # start the workers now, before a progress bar (a thread) exists
        self.pool.submit(_ready).result(timeout=120)
        self.info = {"kind": "local pool", "workers": workers, "start_method": method}

    def submit(self, fn, *args):
        return self.pool.submit(fn, *args)

    def wait(self, futures, timeout):
        return cf.wait(futures, timeout=timeout, return_when=cf.FIRST_COMPLETED).done

    def close(self, interrupted: bool) -> None:
        if not interrupted:
            self.pool.shutdown(wait=True)
            return
        # stop the batches still running now rather than after they finish
        terminate = getattr(self.pool, "terminate_workers", None)          # Python ≥ 3.14
        if terminate is not None:
            terminate()
            return
        procs = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            p.terminate()


class _Dask:
    """An existing Dask cluster, with a timeout on every step (a hung cluster never hangs us)."""

    def __init__(self, address: str, timeout: float):
        try:
            from distributed import Client
        except ImportError:
            raise InputError("Dask is not installed", key="--dask",
                             allowed="pip install 'dask[distributed]'") from None
        connect = min(30.0, timeout)
        try:
            self.client = Client(address, timeout=f"{connect}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as e:
            raise InputError(f"cannot reach a Dask scheduler at {address} within {connect:g}s ({e})",
                             key="--dask", allowed="tcp://host:port of a running `dask scheduler`") from None
        try:
            self.client.wait_for_workers(1, timeout=connect)
            probe = self.client.submit(_probe, pure=False).result(timeout=connect)
        except (TimeoutError, OSError) as e:
            self.client.close(timeout=10)
            raise InputError(f"no Dask worker at {address} answered within {connect:g}s ({type(e).__name__}); "
                             "are workers running, and can they import interlock?", key="--dask") from None
        except Exception as e:
            self.client.close(timeout=10)
            raise InputError(f"a Dask worker at {address} failed the probe task: {type(e).__name__}: {e}",
                             key="--dask", allowed="workers with interlock installed (pip install -e .)") from None
        if probe["interlock"] != __version__:
            self.client.close(timeout=10)
            raise InputError(f"workers run interlock {probe['interlock']}, this client "
                             f"{__version__}: results would not be comparable", key="--dask")
        nthreads = self.client.nthreads()
        self.slots = max(1, sum(nthreads.values()))
        self.window = 2 * self.slots
        self.info = {"kind": "dask", "address": address, "workers": len(nthreads), "threads": self.slots,
                     "worker_versions": probe["versions"]}

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)

    def wait(self, futures, timeout):
        from distributed import wait
        try:
            with self.client.as_current():
                return set(wait(list(futures), timeout=timeout, return_when="FIRST_COMPLETED").done)
        except TimeoutError:
            return set()

    def close(self, interrupted: bool) -> None:
        self.client.close(timeout=10)


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _executor_args(workers: int | None, dask: str | None) -> None:
    """Refuse bad executor arguments before anything is written."""
    if dask and workers is not None:
        raise InputError("give either --workers (a local pool) or --dask (a cluster), not both", key="--workers")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}", key="--workers")
    if dask is not None:
        try:
            from distributed.comm import parse_address
            parse_address(dask)
            host_port = dask.split("://", 1)[-1]
            if host_port.rsplit(":", 1)[-1] == host_port or not host_port.rsplit(":", 1)[-1].isdigit():
                raise ValueError("no port")
        except ImportError:
            raise InputError("Dask is not installed", key="--dask", allowed="pip install 'dask[distributed]'") from None
        except (ValueError, TypeError) as e:
            raise InputError(f"not a scheduler address: {dask!r} ({e})", key="--dask",
                             allowed="tcp://host:port of a running `dask scheduler`") from None


def _executor(workers: int | None, dask: str | None, timeout: float):
    _executor_args(workers, dask)
    if dask:
        return _Dask(dask, timeout)
    n = default_workers() if workers is None else workers
    return _Inline() if n == 1 else _Pool(n)


# ----- the output folder ----------------------------------------------------------------------
def _write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def _write_parquet(path: Path, df: pd.DataFrame) -> None:
    atomic_write(path, lambda p: df.to_parquet(p, **PARQUET_OPTS))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def read_manifest(out_dir: str | Path) -> dict:
    p = Path(out_dir) / "manifest.json"
    if not p.is_file():
        raise InputError("not a sweep folder (no manifest.json)", file=str(out_dir))
    try:
        m = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"is damaged ({type(e).__name__}: {e})", file=str(p)) from None
    if not isinstance(m, dict) or not isinstance(m.get("counts"), dict):
        raise InputError("is damaged (not a sweep manifest)", file=str(p))
    return m


def _read_parquet(path: Path, **kw) -> pd.DataFrame:
    """A table of a sweep folder; a damaged file is an InputError naming it."""
    try:
        return pd.read_parquet(path, **kw)
    except (OSError, ValueError, pa.ArrowException) as e:
        first = str(e).splitlines()[0] if str(e) else ""
        raise InputError(f"is damaged ({type(e).__name__}: {first})", file=str(path),
                         allowed="a sweep folder; `interlock sweep … --resume` redoes damaged parts") from None


def _scenario_id(sc: Any, cache: dict) -> tuple[str, str]:
    """(name, content hash) of a job's scenario, for the plan hash and params.parquet."""
    if sc is None or isinstance(sc, (str, Path)):
        return ("" if sc is None else str(sc)), ""
    key = id(sc)
    if key not in cache:
        body = sc.model_dump(exclude={"path", "shocks"})
        body["shocks"] = [dict(type=s.type_name, **s.model_dump()) for s in sc.shocks]
        cache[key] = (sc.name, hashlib.sha256(dumps_json(body).encode()).hexdigest()[:16], sc)
    return cache[key][:2]


def _plan(jobs: Sequence[Job], opts: RunOptions) -> tuple[pd.DataFrame, str]:
    """params.parquet's table and the plan hash (what --resume must match)."""
    h = hashlib.sha256(json.dumps(opts.describe(), sort_keys=True).encode())
    cache: dict = {}
    rows, keys = [], {}
    seen: set[int] = set()
    for j in jobs:
        if j.run_id in seen:
            raise InputError(f"run_id {j.run_id} appears twice", key="jobs")
        seen.add(j.run_id)
        name, digest = _scenario_id(j.scenario, cache)
        h.update(json.dumps([j.run_id, j.point_id, j.seed, name, digest, j.days, sorted(j.disabled),
                             j.amplification, j.model, sorted(j.overrides.items())],
                            default=str).encode())
        for k in j.overrides:
            keys.setdefault(k, None)
        rows.append({"run_id": j.run_id, "point_id": j.point_id, "seed": j.seed, "scenario": name,
                     "days": j.days, "disabled": ",".join(sorted(j.disabled)), **j.overrides})
    if not rows:
        raise InputError("no runs to do", key="jobs")
    cols = [*PLAN_COLUMNS, *keys]
    df = pd.DataFrame(rows, columns=cols).sort_values("run_id", kind="stable").reset_index(drop=True)
    return df, h.hexdigest()[:16]


class _Parts:
    """Finished runs buffered in memory for at most `flush_seconds`, then written as part files."""

    def __init__(self, out: Path, flush_seconds: float):
        self.dir = out / "parts"
        self.dir.mkdir(exist_ok=True)
        self.flush_seconds = flush_seconds
        self.rows: list[dict] = []
        self.ts: list[pd.DataFrame] = []
        self.last = time.monotonic()
        nums = [int(p.stem.split("-")[1]) for p in self.dir.glob("summary-*.parquet")]
        self.seq = max(nums, default=-1) + 1

    def add(self, row: dict, ts: pd.DataFrame | None) -> None:
        self.rows.append(row)
        if ts is not None:
            self.ts.append(ts)

    def due(self) -> bool:
        """Finished runs are waiting and `flush_seconds` have passed since the last write."""
        return bool(self.rows) and time.monotonic() - self.last >= self.flush_seconds

    def flush(self) -> None:
        self.last = time.monotonic()
        if not self.rows:
            return
        name = f"{self.seq:06d}.parquet"
        if self.ts:                   # time series first: a summary part commits its runs
            _write_parquet(self.dir / f"timeseries-{name}", pd.concat(self.ts, ignore_index=True))
        _write_parquet(self.dir / f"summary-{name}", pd.DataFrame(self.rows))
        self.seq += 1
        self.rows, self.ts = [], []


QUARANTINE = "quarantine"        # damaged parts are moved here on --resume; their runs are redone


def _readable(p: Path, full: bool) -> bool:
    try:
        if full:
            pq.read_table(p, columns=["run_id", "status"])
        else:
            pq.read_metadata(p)
        return True
    except (OSError, ValueError, pa.ArrowException):
        return False


def _tidy_parts(out: Path) -> list[str]:
    """Drop what a killed sweep left half-done — temporary files and time-series parts whose
    summary part (their commit record) was never written — and move damaged parts (unreadable
    summary or time-series part) with their partner to DIR/quarantine/, so their runs are redone.
    Returns the names quarantined."""
    parts = out / "parts"
    for d in (out, parts, out / "timeseries"):
        if d.exists():
            for tmp in d.glob(".*.tmp-*"):
                tmp.unlink(missing_ok=True)
    bad: list[str] = []
    if parts.exists():
        for ts in parts.glob("timeseries-*.parquet"):
            if not (parts / ts.name.replace("timeseries-", "summary-")).exists():
                ts.unlink()
        for sp in sorted(parts.glob("summary-*.parquet")):
            ts = parts / sp.name.replace("summary-", "timeseries-")
            if _readable(sp, full=True) and (not ts.exists() or _readable(ts, full=False)):
                continue
            q = out / QUARANTINE
            q.mkdir(exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%S")
            for f in (ts, sp):                  # the time series first: the summary part commits
                if f.exists():
                    os.replace(f, q / f"{f.stem}-{stamp}{f.suffix}")
            bad.append(sp.name)
            log.warning("%s: damaged part %s moved to %s/; its runs will be redone", out, sp.name, QUARANTINE)
    return bad


def _committed(out: Path) -> tuple[set[int], int]:
    """run_ids already on disk (in parts) and how many of them failed."""
    done: set[int] = set()
    failed = 0
    for p in sorted((out / "parts").glob("summary-*.parquet")):
        t = pq.read_table(p, columns=["run_id", "status"]).to_pydict()
        for rid, st in zip(t["run_id"], t["status"]):
            if rid not in done:
                done.add(rid)
                failed += st != "ok"
    return done, failed


def _summary_from_parts(out: Path) -> pd.DataFrame:
    frames = [_read_parquet(p) for p in sorted((out / "parts").glob("summary-*.parquet"))]
    if not frames:
        return pd.DataFrame(columns=LEAD)
    df = pd.concat(frames, ignore_index=True)
    df = df.drop_duplicates("run_id", keep="first").sort_values("run_id", kind="stable")
    metric_cols = sorted(c for c in df.columns if c not in LEAD)
    df = df[LEAD + metric_cols].reset_index(drop=True)
    return _normalise(df)


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """One dtype per column whatever the part boundaries were: ids int64, numbers float64,
    anything else Python objects with None for missing (written as a parquet string column)."""
    for c in df.columns:
        col = df[c]
        if c in ("run_id", "point_id", "seed"):
            df[c] = col.astype(np.int64)
        elif pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            df[c] = col.astype(np.float64)
        else:
            vals = col.astype(object)
            df[c] = pd.Series([None if _missing(v) else v for v in vals], index=df.index, dtype=object)
    return df


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _consolidate(out: Path, run_ids: np.ndarray) -> None:
    """Parts → summary.parquet and timeseries/part-NNNNNN.parquet, deterministically."""
    summary = _summary_from_parts(out)
    if not np.array_equal(summary["run_id"].to_numpy(), run_ids):
        raise SweepAborted("the parts do not hold exactly the planned runs; rerun with --resume")
    _write_parquet(out / "summary.parquet", summary)
    ts_parts = sorted((out / "parts").glob("timeseries-*.parquet"))
    if ts_parts:
        schema = pa.unify_schemas([pq.read_schema(p) for p in ts_parts])
        dataset = ds.dataset([str(p) for p in ts_parts], schema=schema, format="parquet")
        (out / "timeseries").mkdir(exist_ok=True)
        top = int(run_ids.max()) + 1
        for b in range(math.ceil(top / TS_RUNS_PER_FILE)):
            lo, hi = b * TS_RUNS_PER_FILE, (b + 1) * TS_RUNS_PER_FILE
            t = dataset.to_table(filter=(ds.field("run_id") >= lo) & (ds.field("run_id") < hi))
            if t.num_rows == 0:
                continue
            t = t.sort_by([("run_id", "ascending"), ("day", "ascending")])
            atomic_write(out / "timeseries" / f"part-{b:06d}.parquet",
                          lambda p, t=t: pq.write_table(t, p, compression="zstd"))


def read_params(out_dir: str | Path) -> pd.DataFrame:
    """params.parquet: one row per planned run."""
    p = Path(out_dir) / "params.parquet"
    if not p.exists():
        raise InputError("not a sweep folder (no params.parquet)", file=str(out_dir))
    return _read_parquet(p)


def read_summary(out_dir: str | Path) -> pd.DataFrame:
    """summary.parquet of a finished sweep, or the runs committed so far of an unfinished one."""
    out = Path(out_dir)
    if (out / "summary.parquet").exists() and read_manifest(out).get("status") == "complete":
        return _read_parquet(out / "summary.parquet")
    read_manifest(out)
    return _summary_from_parts(out)


def read_timeseries(out_dir: str | Path, run_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """The kept time series (all runs, or `run_ids`), sorted by run_id and day."""
    out = Path(out_dir)
    files = sorted((out / "timeseries").glob("part-*.parquet")) or \
        sorted((out / "parts").glob("timeseries-*.parquet"))
    if not files:
        raise InputError("this sweep kept no time series ([outputs] timeseries = true keeps them)",
                         file=str(out))
    try:
        dataset = ds.dataset([str(f) for f in files], format="parquet")
        flt = None if run_ids is None else ds.field("run_id").isin(list(run_ids))
        t = dataset.to_table(filter=flt).sort_by([("run_id", "ascending"), ("day", "ascending")])
    except (OSError, ValueError, pa.ArrowException) as e:
        first = str(e).splitlines()[0] if str(e) else ""
        raise InputError(f"a time-series file is damaged ({type(e).__name__}: {first})", file=str(out),
                         allowed="a sweep folder; `interlock sweep … --resume` redoes damaged parts") from None
    return t.to_pandas()


def metric_columns(table: pd.DataFrame) -> list[str]:
    """The metric columns of a summary table or of `read_runs`' table."""
    if "metrics" in table.attrs:
        return list(table.attrs["metrics"])
    return [c for c in table.columns if c not in LEAD]


def read_runs(out_dir: str | Path, ok_only: bool = True) -> pd.DataFrame:
    """params.parquet joined with summary.parquet on run_id: one row per (successful) run, with
    its parameters and metrics — the table to analyse. `attrs["parameters"]` lists the varied
    parameters, `attrs["metrics"]` the metric columns."""
    params = read_params(out_dir)
    summary = read_summary(out_dir)
    runs = params.merge(summary.drop(columns=["point_id", "seed"]), on="run_id", how="inner")
    if ok_only:
        runs = runs[runs["status"] == "ok"].reset_index(drop=True)
    runs.attrs["parameters"] = varied_parameters(out_dir)
    runs.attrs["metrics"] = [c for c in summary.columns if c not in LEAD]
    return runs


def varied_parameters(out_dir: str | Path) -> list[str]:
    """The parameters a sweep varies: its spec's, or else the override columns that vary."""
    meta = read_manifest(out_dir).get("meta", {})
    if meta.get("parameters"):
        return list(meta["parameters"])
    params = read_params(out_dir)
    return [c for c in params.columns if c not in PLAN_COLUMNS
            and params[c].astype(str).nunique() > 1]


# ----- the engine -------------------------------------------------------------------------------
def execute(jobs: Sequence[Job], out_dir: str | Path, *, metrics: str | Callable | None = None,
            timeseries_every: int | None = None, timeseries_columns: Sequence[str] | None = None,
            workers: int | None = None, dask: str | None = None, resume: bool = False,
            progress: bool = True, runs_per_task: int | None = None, flush_seconds: float = 5.0,
            timeout: float = 600.0, files: Mapping[str, str] | None = None,
            meta: Mapping[str, Any] | None = None, desc: str = "sweep") -> SweepReport:
    """Run `jobs` into `out_dir` and return a report.

    metrics: per-run function RunResult → dict (module-level or "module:function"); default
    `summary_metrics`. timeseries_every/columns: keep every k-th day of these columns.
    workers: local processes (default all cores; 1 = this process). dask: "tcp://host:port" of a
    running scheduler instead. resume: finish a sweep already in `out_dir`. runs_per_task: fix the
    batch size (default adaptive). flush_seconds: how often finished runs are written. timeout:
    seconds without any finished task before aborting. files: extra text files written once at
    creation (e.g. spec.toml). meta: recorded in the manifest.
    Raises InputError for bad arguments (before anything runs), SweepAborted if the machinery
    fails, KeyboardInterrupt after saving what finished.
    """
    opts = RunOptions(metrics, timeseries_every,
                      tuple(timeseries_columns) if timeseries_columns else None)
    if timeseries_every is not None and timeseries_every < 1:
        raise InputError(f"timeseries_every must be ≥ 1, got {timeseries_every}", key="every")
    if isinstance(metrics, str):
        try:
            check_metrics_ref(metrics)
        except (ImportError, AttributeError, ValueError) as e:
            raise InputError(f"cannot use the metrics function {metrics!r}: {e}", key="metrics") from None
    check_options(workers=workers, dask=dask, runs_per_task=runs_per_task, flush_seconds=flush_seconds,
                  timeout=timeout)
    plan, plan_hash = _plan(jobs, opts)
    out = Path(out_dir)
    check_folder(out)
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        lock = FolderLock(out / LOCK_NAME).acquire()
    except BaseException:
        if made:
            remove_if_empty(out)
        raise
    try:
        return _execute_locked(jobs, out, plan, plan_hash, opts, workers=workers, dask=dask, resume=resume,
                               progress=progress, runs_per_task=runs_per_task, flush_seconds=flush_seconds,
                               timeout=timeout, files=files, meta=meta, desc=desc)
    except BaseException:
        lock.release()
        if made and not (out / "manifest.json").exists():
            shutil.rmtree(out, ignore_errors=True)       # refused before anything was written
        raise
    finally:
        lock.release()


def check_options(*, workers: int | None = None, dask: str | None = None, runs_per_task: int | None = None,
                  flush_seconds: float = 5.0, timeout: float = 600.0) -> None:
    """Refuse bad executor options (InputError) before anything is written."""
    if runs_per_task is not None and runs_per_task < 1:
        raise InputError(f"runs per task must be ≥ 1, got {runs_per_task}", key="--runs-per-task")
    if not (math.isfinite(flush_seconds) and flush_seconds >= 0):
        raise InputError(f"must be a number of seconds ≥ 0, got {flush_seconds}", key="--flush-seconds")
    if not (math.isfinite(timeout) and timeout > 0):
        raise InputError(f"must be a number of seconds > 0, got {timeout}", key="--timeout")
    _executor_args(workers, dask)


NEW_OR_SWEEP = "a new or empty folder, or an existing sweep folder to finish with --resume"


def check_folder(out: Path) -> None:
    """Refuse (InputError) a folder a sweep may not write: not a folder, or not empty and holding
    no sweep, or not writable."""
    if out.exists() and not (out / "manifest.json").exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("is not empty and holds no sweep", file=str(out), key="--out", allowed=NEW_OR_SWEEP)
    check_writable(out)


def _execute_locked(jobs: Sequence[Job], out: Path, plan: pd.DataFrame, plan_hash: str, opts: RunOptions, *,
                    workers, dask, resume, progress, runs_per_task, flush_seconds, timeout, files, meta,
                    desc) -> SweepReport:
    """`execute` once the folder is ours (its lock held): decide what is left and run it."""
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = read_manifest(out)
        if not resume:
            raise InputError(f"already holds a sweep ({manifest.get('status')}, "
                             f"{manifest['counts']['done']}/{manifest['counts']['runs']} runs); "
                             "pass --resume to finish it, or choose another --out", file=str(out))
        if manifest.get("plan_hash") != plan_hash:
            raise InputError("was made by a different spec or job list; --resume needs the same one "
                             "(or choose another --out)", file=str(out))
    elif any(e.name != LOCK_NAME for e in out.iterdir()):
        raise InputError("is not empty and holds no sweep", file=str(out), key="--out", allowed=NEW_OR_SWEEP)
    if manifest_path.exists() and manifest.get("status") == "complete" and (out / "summary.parquet").exists():
        shutil.rmtree(out / "parts", ignore_errors=True)     # left if the last session died tidying up
        c = manifest["counts"]
        return SweepReport(out, "complete", c["runs"], c["ok"], c["failed"], 0, 0.0, {},
                           unstable=c.get("unstable", 0))
    quarantined: list[str] = []
    if manifest_path.exists():
        quarantined = _tidy_parts(out)
        done, n_failed = _committed(out)
    else:
        done, n_failed = set(), 0
    todo = sorted((j for j in jobs if j.run_id not in done), key=lambda j: j.run_id)
    ex = _executor(workers, dask, timeout) if todo else _Inline()   # may refuse: nothing written yet

    if not manifest_path.exists():
        manifest = {"format": FORMAT, "kind": "sweep", "name": desc, "status": "planned", "created": _now(),
                    "plan_hash": plan_hash, "options": opts.describe(), "meta": dict(meta or {}),
                    "versions": dict(package_versions()), "sessions": [],
                    "counts": {"runs": len(plan), "done": 0, "ok": 0, "failed": 0}}
        out.mkdir(parents=True, exist_ok=True)
        _write_text(manifest_path, dumps_json(manifest))
        for name, text in (files or {}).items():
            _write_text(out / name, text)
    if not (out / "params.parquet").exists():
        _write_parquet(out / "params.parquet", plan)

    run_ids = plan["run_id"].to_numpy()
    session = {"started": _now(), "executor": ex.info, "runs": 0, "elapsed_s": 0.0}
    if quarantined:
        session["quarantined"] = quarantined
    manifest["sessions"].append(session)
    counts = manifest["counts"]

    def save_manifest(status: str) -> None:
        manifest["status"] = status
        manifest["updated"] = _now()
        counts.update(done=len(done), failed=n_failed, ok=len(done) - n_failed)
        _write_text(manifest_path, dumps_json(manifest))

    parts = _Parts(out, flush_seconds)
    save_manifest("running")
    t0 = time.perf_counter()
    bar = None
    if progress:
        bar = tqdm(total=len(run_ids), initial=len(done), unit="run", desc=desc, smoothing=0.05,
                   dynamic_ncols=True)
    status = "aborted"
    inflight: dict = {}
    try:
        pending = iter(todo)
        left = len(todo)
        per_run: deque = deque(maxlen=64)   # seconds per run, measured on the workers

        def batch_size() -> int:
            if runs_per_task:
                return runs_per_task
            if not per_run:
                return 2
            fair = max(1, math.ceil(left / (2 * ex.slots)))   # keep every slot busy to the end
            return max(1, min(1000, fair, int(TASK_SECONDS / max(np.median(per_run), 1e-6))))

        def collect(f) -> None:
            nonlocal n_failed
            n = inflight.pop(f)
            try:
                results, seconds = f.result()
            except Exception as e:
                raise SweepAborted(f"a task failed outside the runs ({type(e).__name__}: {e})") from e
            per_run.append(seconds / n)
            for row, ts in results:
                if row["run_id"] in done:
                    continue
                parts.add(row, ts)
                done.add(row["run_id"])
                n_failed += row["status"] != "ok"
            session["runs"] += n
            if bar is not None:
                bar.update(n)
                if n_failed:
                    bar.set_postfix(failed=n_failed, refresh=False)

        def fill() -> None:
            nonlocal left
            while len(inflight) < ex.window and left > 0:
                batch = [j for _, j in zip(range(batch_size()), pending)]
                if not batch:
                    break
                left -= len(batch)
                inflight[ex.submit(run_batch, batch, opts)] = len(batch)

        fill()
        while inflight:
            finished = ex.wait(set(inflight), timeout)
            if not finished:
                raise SweepAborted(f"no task finished in {timeout:g}s (a hung worker or cluster?)")
            for f in finished:
                collect(f)
            fill()
            if parts.due():
                parts.flush()
                session["elapsed_s"] = round(time.perf_counter() - t0, 3)
                save_manifest("running")
        parts.flush()
        ex.close(interrupted=False)
        _consolidate(out, run_ids)
        status = "complete"
    except BaseException as e:
        status = "interrupted" if isinstance(e, KeyboardInterrupt) else "aborted"
        try:
            for f in [f for f in inflight if f.done() and not f.cancelled() and f.exception() is None]:
                collect(f)            # results that arrived but were not yet taken
            parts.flush()             # keep every finished run
        finally:
            ex.close(interrupted=True)
        if isinstance(e, (KeyboardInterrupt, SweepAborted, InputError, OSError)):
            raise
        # anything else is the machinery failing (e.g. a lost Dask scheduler): finished runs are kept
        raise SweepAborted(f"the sweep machinery failed ({type(e).__name__}: {e})") from e
    finally:
        if bar is not None:
            bar.close()
        elapsed = time.perf_counter() - t0
        session.update(elapsed_s=round(elapsed, 3), status=status,
                       runs_per_s=round(session["runs"] / elapsed, 3) if elapsed > 0 else None)
        if status == "complete":
            manifest["failures"] = _failures(out)
            counts["unstable"] = count_unstable(pd.read_parquet(out / "summary.parquet"))
        save_manifest(status)
        if status == "complete":
            shutil.rmtree(out / "parts", ignore_errors=True)
    return SweepReport(out, status, len(run_ids), len(done) - n_failed, n_failed, session["runs"],
                       elapsed, ex.info, quarantined, counts.get("unstable", 0))


def _failures(out: Path, most: int = 20) -> list[dict]:
    s = pd.read_parquet(out / "summary.parquet", columns=["run_id", "status", "error"])
    bad = s[s["status"] != "ok"].head(most)
    return [{"run_id": int(r.run_id), "error": r.error} for r in bad.itertuples()]


# ----- a spec file → jobs → execute --------------------------------------------------------------
def spec_jobs(spec) -> list[Job]:
    """A validated SweepSpec's runs: every design point × every seed, run_id = point × seeds + k."""
    model = MODELS[spec.model]
    ns = len(spec.seeds)
    return [Job(run_id=p * ns + k, point_id=p, scenario=spec.scenario, overrides={**spec.overrides, **pt},
                seed=s, days=spec.days, disabled=spec.disabled, amplification=spec.amplification,
                model=model)
            for p, pt in enumerate(spec.points()) for k, s in enumerate(spec.seeds)]


def _check_columns(spec) -> None:
    """Refuse unknown time-series columns before anything runs (one tiny model build)."""
    if not spec.timeseries_columns or spec.model != "interlock":
        return
    model = build_model(spec.scenario, seed=spec.seeds[0], overrides=spec.overrides, disabled=spec.disabled)
    cols = set(model.series.columns)
    model.release()
    unknown = [c for c in spec.timeseries_columns if c not in cols]
    if unknown:
        raise InputError(f"unknown time-series columns {unknown}", file=spec.source, key="outputs.columns",
                         allowed=", ".join(sorted(cols)))


def run_sweep(spec, out_dir: str | Path, *, workers: int | None = None, dask: str | None = None,
              resume: bool = False, progress: bool = True, **kwargs) -> SweepReport:
    """Run a sweep spec (a path or a SweepSpec) into `out_dir`; see `execute` for the options."""
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    _check_columns(spec)
    jobs = spec_jobs(spec)
    meta = {"spec": spec.name, "spec_hash": spec_hash(spec.canonical()), "design": spec.design,
            "points": spec.n_points(), "seeds": list(spec.seeds), "model": spec.model,
            "parameters": spec.keys}
    if spec.scenario is not None and outside_warning(spec.scenario, spec.days):
        meta["warnings"] = [outside_warning(spec.scenario, spec.days)]
    return execute(jobs, out_dir, metrics=spec.metrics or None, timeseries_every=spec.timeseries_every,
                   timeseries_columns=spec.timeseries_columns, workers=workers, dask=dask, resume=resume,
                   progress=progress, files={"spec.toml": tomli_w.dumps(spec.canonical())}, meta=meta,
                   desc=spec.name, **kwargs)
