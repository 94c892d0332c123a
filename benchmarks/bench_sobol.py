"""A 10-parameter Sobol' study in CPU-hours (issue #16): the study the issue prices — N = 1024 base
samples with second-order indices, N·(2D + 2) = 22,528 runs of 756 days — measured at a smaller N
through the sweep engine (`run_sweep`, the local pool) and scaled linearly in the number of runs
(every run of the design is the same kind of work: a 756-day baseline at one design point, seed 1).
Then where a run's CPU goes: its build, its days, what the runner and the engine add, and the
split by stage of the days (bench_default_run.py's instrumented run) — both with the retail crypto
pass's fused kernels on, as a pool worker runs from its 2,000th day (agents/jit.py; the pool itself
runs the default auto mode, so each worker's first runs are on the numpy path).

    python benchmarks/bench_sobol.py [--n 4] [--workers 2]   # 88 runs × 756 days; writes its section
    python benchmarks/bench_sobol.py --quick                  # N = 1, 20 days; prints only

The issue's target: ≤ 1 CPU-hour for N = 1024 × 756 days.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")     # before numpy is imported

import argparse  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import results  # noqa: E402  (benchmarks/results.py)
from bench_default_run import stage_split  # noqa: E402

from interlock.agents import jit  # noqa: E402
from interlock.experiments import runner  # noqa: E402
from interlock.experiments.sweeps.engine import read_summary, run_sweep  # noqa: E402
from interlock.experiments.sweeps.jobs import Job, run_job  # noqa: E402
from interlock.experiments.sweeps.spec import parse_spec  # noqa: E402

TARGET_H = 1.0
N_ISSUE = 1024
# ten parameters over their plausible ranges (the params files' `range`): the funds, the market's
# depth, the dealers and the crypto holders — the classes a user varies first
PARAMETERS = ["vol_target.aum", "vol_target.max_leverage", "cta.aum", "discretionary.capital",
              "discretionary.value_sensitivity", "dealer.gamma_calm", "market.equity_multiplier",
              "market.btc_multiplier", "retail_crypto.btc_holdings_bn", "crypto_etf.aum"]


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)       # the pool's workers, reaped at its shutdown
    return r.ru_utime + r.ru_stime


def spec(n: int, days: int):
    return parse_spec({"name": "bench_sobol", "scenario": "baseline", "days": days, "seeds": [1],
                       "design": {"kind": "sobol", "n": n, "second_order": True, "seed": 0},
                       "parameters": {k: {} for k in PARAMETERS}}, "bench_sobol.py")


def per_run_split(days: int, repeat: int) -> dict[str, float]:
    """CPU seconds per run (median over seeds, interleaved): the model build, build + days, the
    runner's whole run (adds summary metrics), and the engine's run_job (adds the row)."""
    out: dict[str, list[float]] = {"build": [], "build + days": [], "runner.run": [], "run_job": []}
    jit.MODE = "1"          # a sweep worker's steady state: the fused kernels (agents/jit.py: from its 2,000th day)
    sc = runner.load_scenario("baseline")
    run_job(Job(0, 0, "baseline", {}, 0, min(days, 20)))       # warm-up: files read, caches filled
    for seed in range(1, repeat + 1):
        c = time.process_time()
        runner.build_model(sc, seed=seed).release()
        out["build"].append(time.process_time() - c)
        c = time.process_time()
        m = runner.build_model(sc, seed=seed)
        runner.simulate(m, days)
        m.release()
        out["build + days"].append(time.process_time() - c)
        c = time.process_time()
        runner.run(sc, days=days, seed=seed, amplification=False)
        out["runner.run"].append(time.process_time() - c)
        c = time.process_time()
        row, _ = run_job(Job(0, 0, "baseline", {}, seed, days))
        out["run_job"].append(time.process_time() - c)
        assert row["status"] == "ok", row
    return {k: statistics.median(v) for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4, help="Sobol base sample N (a power of two)")
    ap.add_argument("--days", type=int, default=756)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="seeds of the per-run split")
    ap.add_argument("--quick", action="store_true", help="N = 1, 20 days, 1 seed of the split; print only")
    a = ap.parse_args()
    if a.quick:
        a.n, a.days, a.repeat = 1, 20, 1
    load0 = results.load()
    sp = spec(a.n, a.days)
    d = len(PARAMETERS)
    runs = sp.n_points() * len(sp.seeds)
    assert runs == a.n * (2 * d + 2), runs
    tmp = Path(tempfile.mkdtemp(prefix="bench_sobol."))
    try:
        c0, k0, t0 = time.process_time(), _children_cpu(), time.perf_counter()
        rep = run_sweep(sp, tmp / "sweep", workers=a.workers, progress=False)
        wall = time.perf_counter() - t0
        cpu = (time.process_time() - c0) + (_children_cpu() - k0)
        assert rep.status == "complete", rep.status
        unstable = rep.unstable
        failed = int((read_summary(tmp / "sweep")["status"] != "ok").sum())
        executor = rep.executor
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    per_run = cpu / runs
    runs_issue = N_ISSUE * (2 * d + 2)
    split = per_run_split(a.days, a.repeat)
    # a shorter horizon (--quick) adds the missing days at the stepping rate measured in-process
    per_run_756 = per_run + (split["build + days"] - split["build"]) * (756 / a.days - 1)
    hours = per_run_756 * runs_issue / 3600
    stages, stage_total = stage_split(1, a.days)
    need = TARGET_H * 3600 / runs_issue                       # CPU s per 756-day run the target allows
    b, bd, rr, rj = split["build"], split["build + days"], split["runner.run"], split["run_job"]

    lines = ["## A 10-parameter Sobol' study in CPU-hours (bench_sobol.py)", "",
             results.context(__file__, load0), "",
             f"Saltelli design with second-order indices over {d} parameters at their plausible ranges "
             f"({', '.join(f'`{k}`' for k in PARAMETERS)}), N = {a.n}: N·(2D + 2) = {runs} runs of the baseline, "
             f"{a.days} days, seed 1, through `run_sweep` on the local pool ({executor.get('workers')} "
             f"processes, {executor.get('start_method')}); {failed} failed, {unstable} unstable. CPU = this "
             "process + the pool's workers.", "",
             "| measured | value |", "|---|---:|",
             f"| runs | {runs} |", f"| CPU s (wall s) | {cpu:.0f} ({wall:.0f}) |",
             f"| CPU s per run | **{per_run:.3f}** |",
             f"| scaled to N = {N_ISSUE} ({runs_issue:,} runs) × 756 days | **{hours:.1f} CPU-hours** |", "",
             f"Scaled linearly in the runs{'' if a.days == 756 else f' (and {a.days} → 756 days at the stepping rate below: {per_run_756:.3f} s per run)'}. Target "
             f"≤ {TARGET_H:g} CPU-hour: **{'met' if hours <= TARGET_H else 'not met'}** — it needs ≤ "
             f"{need:.3f} s per 756-day run ({need / 756 * 1e6:.0f} µs a day); this is {hours / TARGET_H:.1f}× that.", "",
             f"Where a run's CPU goes (in this process, after a warm-up run; medians of {a.repeat} seeds, "
             f"{a.days} days; parts are differences of medians, so a small part can come out slightly negative):", "",
             "| part | CPU s per run | share |", "|---|---:|---:|",
             f"| model build (set-up: firms, deals, graph, populations, news) | {b:.3f} | {b / rj:.0%} |",
             f"| the days (stepping) | {bd - b:.3f} | {(bd - b) / rj:.0%} |",
             f"| the runner's summary (metrics, stability) | {rr - bd:.3f} | {(rr - bd) / rj:.0%} |",
             f"| the engine's row (run_job) | {rj - rr:.3f} | {(rj - rr) / rj:.0%} |",
             f"| one run through run_job | {rj:.3f} | 100% |", "",
             f"The pool's CPU per run ({per_run:.3f} s) against run_job's in one process ({rj:.3f} s): "
             f"{per_run / rj:.2f}× (workers start, results travel back, parts are written; and the load).", "",
             f"The days by stage (one instrumented run, seed 1, {stage_total:.2f} CPU s with timers; µs per day):", "",
             "| stage | µs/day | share |", "|---|---:|---:|"]
    for k, v in sorted(stages.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {k} | {v:.0f} | {v * a.days / 1e6 / stage_total:.0%} |")
    results.publish(__file__, lines, write=not a.quick)


if __name__ == "__main__":
    main()
