"""Scale-out measured (issue #16): a 10,000-run sweep on a Dask cluster of separate `dask scheduler`
and `dask worker` processes (each worker process, one thread, stands in for a node) against the
local process pool with as many workers, and the per-task overhead that batching runs per task
amortises.

    python benchmarks/bench_dask.py                 # 10,000 runs × 3 days per executor; writes its section
    python benchmarks/bench_dask.py --quick         # 200 runs × 3 days, 2,000 overhead runs; prints only

The full set costs ≈ 45 CPU-minutes here (2 × 10,000 runs of ≈ 0.1–0.15 CPU s each), ≈ 25 minutes on 2 cores.

The script starts the cluster itself (scheduler on 127.0.0.1, `--nodes` worker processes with
`--nthreads 1 --no-nanny`, this checkout on their PYTHONPATH) and stops it at the end, with a timeout
on every wait: a worker that cannot import the package would otherwise hang silently (the sweep
engine also probes the workers before it submits anything).

1. The capital-flow model: `--runs` runs of the baseline (seeds 1..N, `--days` days each — short on
   purpose, so the measurement costs CPU-minutes: a run is then mostly its model build, ≈ 65 ms) with
   the engine's default adaptive batching, on the Dask cluster and on the local pool. CPU per run =
   CPU seconds of every process involved (this client, the scheduler, the workers; for the pool, its
   worker processes) ÷ runs; runs/s is wall-clock (other work on a shared machine slows it).
   Both sweeps' summary tables are checked to be identical.
2. The per-task overhead: the Ishigami test model (a run costs microseconds, so a task is nearly pure
   overhead), `--overhead-runs` runs at 1 run per task and at `--batch` runs per task, on each
   executor, interleaved: overhead per task = (CPU at 1 per task − CPU batched) ÷ (tasks saved).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")     # before numpy is imported

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import psutil  # noqa: E402
import results  # noqa: E402  (benchmarks/results.py)

from interlock.experiments.sweeps.engine import Job, execute, read_summary  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WAIT = 60.0                                        # seconds for any cluster step
ISHIGAMI = "interlock.experiments.sweeps.ishigami:run"


def _address(f: Path) -> str | None:
    try:
        return json.loads(f.read_text())["address"]
    except (OSError, ValueError, KeyError):
        return None


@contextlib.contextmanager
def cluster(d: Path, nodes: int):
    """A scheduler and `nodes` single-threaded worker processes on 127.0.0.1; yields (address,
    processes); stopped (terminate, then kill) on the way out, whatever happened."""
    from distributed import Client
    dask_bin = str(Path(sys.executable).parent / "dask")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "OMP_NUM_THREADS": "1"}
    sched_file = d / "scheduler.json"
    log = open(d / "cluster.log", "w")
    procs: list[subprocess.Popen] = []
    try:
        procs.append(subprocess.Popen([dask_bin, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                       "--no-dashboard", "--scheduler-file", str(sched_file)],
                                      env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        t = time.monotonic()
        while _address(sched_file) is None:
            if procs[0].poll() is not None or time.monotonic() - t > WAIT:
                raise RuntimeError(f"the scheduler did not start within {WAIT:g}s (see {d / 'cluster.log'})")
            time.sleep(0.2)
        address = _address(sched_file)
        for i in range(nodes):
            procs.append(subprocess.Popen([dask_bin, "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                           "--no-nanny", "--no-dashboard", "--name", f"node{i}",
                                           "--local-directory", str(d / f"node{i}")],
                                          env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        with Client(address, timeout=f"{WAIT:g}s") as client:
            client.wait_for_workers(nodes, timeout=WAIT)
        yield address, procs
    finally:
        for p in procs[::-1]:
            if p.poll() is None:
                p.terminate()
        for p in procs[::-1]:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=20)
        log.close()


def _cpu(procs) -> float:
    total = 0.0
    for p in procs:
        try:
            t = psutil.Process(p.pid).cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)       # reaped children: the pool's workers
    return r.ru_utime + r.ru_stime


def model_jobs(runs: int, days: int) -> list[Job]:
    return [Job(run_id=i, point_id=i, scenario="baseline", overrides={}, seed=1 + i, days=days) for i in range(runs)]


def ishigami_jobs(runs: int) -> list[Job]:
    return [Job(run_id=i, point_id=i, scenario=None, seed=1, days=1, model=ISHIGAMI,
                overrides={"ishigami.x1": -3 + 6 * (i % 97) / 97, "ishigami.x2": -3 + 6 * (i % 89) / 89,
                           "ishigami.x3": -3 + 6 * (i % 83) / 83})
            for i in range(runs)]


def arm(spec: dict) -> None:
    """One sweep in this (fresh) interpreter — no threads yet, so the pool forks its workers, which
    are reaped at its shutdown and counted in RUSAGE_CHILDREN. Prints its CPU (this process after
    imports + the pool's workers) and wall seconds as JSON."""
    logging.getLogger("distributed").setLevel(logging.ERROR)
    jobs = ishigami_jobs(spec["runs"]) if spec["model"] == "ishigami" else model_jobs(spec["runs"], spec["days"])
    ex = dict(dask=spec["dask"]) if spec.get("dask") else dict(workers=spec["workers"])
    c0, k0, t0 = time.process_time(), _children_cpu(), time.perf_counter()
    rep = execute(jobs, spec["out"], progress=False, runs_per_task=spec.get("rpt"), **ex)
    wall = time.perf_counter() - t0
    cpu = (time.process_time() - c0) + (_children_cpu() - k0)
    assert rep.status == "complete" and rep.ok == len(jobs), (rep.status, rep.ok, rep.failed)
    print("ARM " + json.dumps({"cpu": cpu, "wall": wall, "executor": rep.executor.get("kind")}), flush=True)


def measure(spec: dict, procs) -> dict:
    """Run `arm(spec)` in a fresh interpreter; add the cluster processes' CPU over that time."""
    shutil.rmtree(spec["out"], ignore_errors=True)
    d0 = _cpu(procs)
    res = subprocess.run([sys.executable, __file__, "--arm", json.dumps(spec)], capture_output=True, text=True,
                         timeout=4 * 3600, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                             [str(HERE), str(ROOT), os.environ.get("PYTHONPATH", "")])})
    if res.returncode != 0:
        raise RuntimeError(f"arm {spec} failed: {res.stderr[-3000:]}")
    out = json.loads(next(line for line in res.stdout.splitlines() if line.startswith("ARM "))[4:])
    out["cpu"] += _cpu(procs) - d0
    out.update(runs=spec["runs"], rate=spec["runs"] / out["wall"], cpu_per_run=out["cpu"] / spec["runs"])
    print(f"{spec['name']}: {out['cpu']:.1f} s CPU, {out['wall']:.1f} s wall", flush=True)
    return out


def build_cpu_ms(n: int = 5) -> float:
    """CPU ms of building one baseline model (after a first, warming build), median of `n`."""
    from interlock.experiments.runner import build_model
    build_model("baseline", seed=0).release()
    cpu = []
    for s in range(n):
        c = time.process_time()
        build_model("baseline", seed=s + 1).release()
        cpu.append(time.process_time() - c)
    return sorted(cpu)[n // 2] * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--nodes", type=int, default=2, help="worker processes standing in for nodes (and pool size)")
    ap.add_argument("--overhead-runs", type=int, default=5_000)
    ap.add_argument("--idle-seconds", type=float, default=20.0, help="how long the idle cluster's CPU is sampled")
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--quick", action="store_true", help="200 runs, 2,000 overhead runs; print only")
    ap.add_argument("--arm", help=argparse.SUPPRESS)          # internal: one measurement, as JSON
    a = ap.parse_args()
    if a.arm:
        arm(json.loads(a.arm))
        return
    if a.quick:
        a.runs, a.overhead_runs, a.idle_seconds = 200, 2_000, 5.0
    load0 = os.getloadavg()[0]
    build_ms = build_cpu_ms()
    tmp = Path(tempfile.mkdtemp(prefix="bench_dask."))
    r: dict[str, dict] = {}
    base = dict(days=a.days)
    try:
        with cluster(tmp, a.nodes) as (address, procs):
            dask, pool = dict(dask=address), dict(workers=a.nodes)
            c, t = _cpu(procs), time.perf_counter()        # the cluster's own cost with nothing to do
            time.sleep(a.idle_seconds)
            idle = (_cpu(procs) - c) / (time.perf_counter() - t)
            # 2. per-task overhead, interleaved: dask 1/task, pool 1/task, dask batched, pool batched
            for ex_name, ex, rpt in (("dask", dask, 1), ("pool", pool, 1), ("dask", dask, a.batch),
                                     ("pool", pool, a.batch)):
                name = f"ish: {ex_name}, {rpt}"
                r[name] = measure({**base, **ex, "name": name, "model": "ishigami", "runs": a.overhead_runs,
                                   "rpt": rpt, "out": str(tmp / "ish")}, procs if ex_name == "dask" else [])
            # 1. the capital-flow model, the engine's adaptive batching, Dask then the pool
            for ex_name, ex in (("dask", dask), ("pool", pool)):
                r[f"model: {ex_name}"] = measure({**base, **ex, "name": f"model: {ex_name}", "model": "interlock",
                                                  "runs": a.runs, "out": str(tmp / f"model_{ex_name}")},
                                                 procs if ex_name == "dask" else [])
        same = read_summary(tmp / "model_dask").equals(read_summary(tmp / "model_pool"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    md, mp_ = r["model: dask"], r["model: pool"]
    n1, nb = a.overhead_runs, -(-a.overhead_runs // a.batch)

    def per_task(ex: str) -> tuple[float, float]:
        one, bat = r[f"ish: {ex}, 1"], r[f"ish: {ex}, {a.batch}"]
        return ((one["cpu"] - bat["cpu"]) / (n1 - nb) * 1e3, (one["wall"] - bat["wall"]) / (n1 - nb) * 1e3)

    od, op = per_task("dask"), per_task("pool")
    lines = [
        f"## Scale-out: a {a.runs:,}-run sweep on a Dask cluster vs the local pool (bench_dask.py)", "",
        results.context(__file__, load0), "",
        f"A `dask scheduler` and {a.nodes} `dask worker` processes (1 thread each, no nanny; each stands in for a "
        f"node) started by the script on 127.0.0.1; the local pool has {a.nodes} worker processes. Runs are "
        f"short on purpose — the baseline, {a.days} days each, seeds 1..{a.runs:,} — so the whole measurement "
        f"costs CPU-minutes: a run is then mostly its model build ({build_ms:.0f} ms of CPU here, median of 5); "
        "a 756-day run costs far more (bench_default_run.py), which shrinks every overhead below in proportion. CPU = every process involved (client, "
        "scheduler, workers / pool workers); runs/s is wall-clock on a shared machine (load above).", "",
        "| executor | runs | runs/s (wall) | CPU s | CPU ms per run | ratio to the pool |",
        "|---|---:|---:|---:|---:|---:|",
        f"| local pool, {a.nodes} processes, adaptive batches | {mp_['runs']:,} | {mp_['rate']:.1f} | "
        f"{mp_['cpu']:.0f} | {mp_['cpu_per_run'] * 1e3:.1f} | 1.00 |",
        f"| Dask, {a.nodes} worker processes, adaptive batches | {md['runs']:,} | {md['rate']:.1f} | {md['cpu']:.0f} | "
        f"{md['cpu_per_run'] * 1e3:.1f} | {md['cpu_per_run'] / mp_['cpu_per_run']:.2f} |", "",
        f"The cluster's processes cost {idle:.3f} CPU s per wall second when idle (heartbeats, monitors; sampled "
        f"{a.idle_seconds:g} s before the arms): over the Dask sweep's {md['wall']:.0f} s that is {idle * md['wall']:.0f} "
        f"CPU s of the {md['cpu'] - mp_['cpu_per_run'] * md['runs']:.0f} s "
        "it spent beyond the pool's rate.", "",
        f"Both summary tables identical: **{same}**. The two sweeps ran one after the other (not interleaved: "
        "each is minutes long); the overhead arms below are interleaved.", "",
        f"Per-task overhead (the Ishigami test model, {n1:,} runs of microseconds each, at 1 and at {a.batch} "
        "runs per task, interleaved):", "",
        "| executor | 1 run per task: CPU s, wall s | "
        f"{a.batch} per task: CPU s, wall s | overhead per task: CPU ms, wall ms |", "|---|---:|---:|---:|"]
    for ex, o in (("Dask", od), ("local pool", op)):
        k = ex.split()[-1].lower()
        one, bat = r[f"ish: {k}, 1"], r[f"ish: {k}, {a.batch}"]
        lines.append(f"| {ex} | {one['cpu']:.1f}, {one['wall']:.1f} | {bat['cpu']:.1f}, {bat['wall']:.1f} | "
                     f"{o[0]:.2f}, {o[1]:.2f} |")
    lines += [
        "", "The engine batches runs per task adaptively (about 1 s of work per task, never fewer tasks than "
        "2 per slot at the end), so the per-task cost above is paid once per ≈ 1 CPU-second of runs: "
        f"{od[0]:.1f} ms per task is {od[0] / 10:.1f}% of a 1-second task on Dask, {op[0] / 10:.2f}% on the pool.", "",
        "On a real multi-node cluster: every run's row (and any thinned time series) travels back to the "
        "client, which writes the part files — small rows cost little, but a sweep keeping daily time series "
        "sends ≈ 8 bytes × columns × days per run over the network and the client's disk becomes the "
        "bottleneck; then workers should write their parts to a shared file system (or object store) and "
        "return only the paths. Workers need the package at the same version (the engine checks with a probe "
        "task) and read the scenario, params and snapshot files locally (a Scenario object travels with its "
        "job; parsed files are cached per worker process), so data locality means installing the package "
        "on each node, not shipping data per task. Network round trips add to the per-task overhead above "
        "(measured on loopback here), which batching amortises the same way."]
    results.publish(__file__, lines, write=not a.quick)


if __name__ == "__main__":
    main()
