"""The default run's cost (issue #16): CPU seconds per 756-day `baseline` run of the whole model, of
the engine alone (issue #2's agents: the crypto block and the AI interlock off) and of the whole
model with the retail population of before issue #16 (100,000 rows of equal people; the default is
40,000 wealth-weighted rows, shown equivalent by bench_population.py) and of the whole model on the
numpy path (every fused numba kernel off — retail crypto, fills, impact, ledger, books, news, clearing:
the same outputs bit for bit); the arms
interleaved in one process, seed by seed, with their ratios. The kernels are pinned on for every
other arm (INTERLOCK_NUMBA=1: what a sweep or stress test runs after its first 1,000 days; a single
`interlock run` stays on numpy, agents/jit.py). Then the kernels' one-off cost in a fresh process
(importing numba, loading the cached machine code) and one instrumented run's split by stage (CPU µs
per day; the timers add their own overhead).
Re-run it after a change to the market core: the issue's target is ≤ 0.4 s per default run.

    python benchmarks/bench_default_run.py [--repeat 5]     # writes its section of RESULTS.md
    python benchmarks/bench_default_run.py --quick          # 1 seed, 60 days, prints only
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")     # before numpy is imported

import argparse  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402

import results  # noqa: E402  (benchmarks/results.py)

from interlock.agents import jit  # noqa: E402
from interlock.experiments.runner import build_model, simulate  # noqa: E402

TARGET_S = 0.4
NUMPY_ARM = "whole model on the numpy path (every kernel off)"
ARMS = {
    "whole model (default, fused kernels)": dict(),
    NUMPY_ARM: dict(kernels=False),
    "engine only (crypto and interlock off)": dict(disabled=("retail_crypto", "crypto_etf", "interlock")),
    "whole model, 100,000 equal-people crypto rows (the default before #16)": dict(
        overrides={"retail_crypto.n_holders": 100_000, "retail_crypto.row_sampling": "people"}),
}


def cpu_of_run(seed: int, days: int, disabled=(), overrides=None, kernels=True) -> float:
    """CPU seconds of building and simulating one baseline run (the model is released after)."""
    jit.MODE = "1" if kernels else "0"
    c = time.process_time()
    m = build_model("baseline", seed=seed, disabled=disabled, overrides=overrides or {})
    simulate(m, days)
    cpu = time.process_time() - c
    m.release()
    return cpu


FIRST_CALL = ("from interlock.experiments.runner import build_model, simulate\n"
              "m = build_model('baseline', seed=1); simulate(m, 5)")


def child_cpu(mode: str) -> float:
    """CPU seconds (user + system) of a fresh interpreter that builds a baseline model and runs 5 days
    with INTERLOCK_NUMBA=`mode`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", FIRST_CALL], check=True, env=dict(os.environ, INTERLOCK_NUMBA=mode))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def first_call_cost(repeat: int) -> tuple[float, float, float]:
    """Median CPU seconds of the fresh process with the kernels on and off (interleaved; the kernels'
    disk cache warm: one run first fills it), and the median of the paired differences."""
    child_cpu("1")
    on, off = [], []
    for _ in range(repeat):
        on.append(child_cpu("1"))
        off.append(child_cpu("0"))
    return (statistics.median(on), statistics.median(off),
            statistics.median([a - b for a, b in zip(on, off)]))


def stage_split(seed: int, days: int) -> tuple[dict[str, float], float]:
    """µs per day by stage of one instrumented default run (single-threaded: elapsed time inside each
    stage, so the timers stay cheap), scaled to the run's CPU seconds, and that total."""
    jit.MODE = "1"
    m = build_model("baseline", seed=seed)
    acc: dict[str, float] = defaultdict(float)

    def wrap(obj, name, bucket):
        f = getattr(obj, name)

        def timed(*a, **k):
            t = time.perf_counter()     # process_time costs ~3 µs a call here, perf_counter ~0.4
            try:
                return f(*a, **k)
            finally:
                acc[bucket] += time.perf_counter() - t
        setattr(obj, name, timed)

    for pop in m.populations:
        for hook in ("begin_day", "voluntary_orders", "forced_orders", "fill", "end_day", "record"):
            wrap(pop, hook, f"agents: {pop.agent_class}")
    for b in m.blocks:
        for hook in ("begin_day", "end_day", "record"):
            wrap(b, hook, f"block: {b.name}")
    for name in ("clear", "draw_noise", "end_day", "begin_day"):
        wrap(m.market, name, "market (clearing, noise, close)")
    wrap(m.crypto, "end_day", "crypto venues")
    for obj, name in ((m.fed, "step"), (m.macro, "step"), (m.valuation, "update"), (m.vol, "update")):
        wrap(obj, name, "Fed, macro, values, VOL")
    wrap(m.series, "append", "recording")
    wrap(m.flows, "add", "recording")
    c, w = time.process_time(), time.perf_counter()
    simulate(m, days)
    total, wall = time.process_time() - c, time.perf_counter() - w
    m.release()
    acc["step glue (the rest)"] = wall - sum(acc.values())
    return {k: v * total / wall / days * 1e6 for k, v in acc.items()}, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--days", type=int, default=756)
    ap.add_argument("--quick", action="store_true", help="1 seed, 60 days; print, write nothing")
    a = ap.parse_args()
    if a.quick:
        a.repeat, a.days = 1, 60
    load0 = results.load()
    for kw in ARMS.values():                       # warm-up: imports, caches, first allocations
        cpu_of_run(0, 20, **kw)
    cpu = {arm: [] for arm in ARMS}
    for seed in range(1, a.repeat + 1):            # interleaved: every arm sees the same load
        for arm, kw in ARMS.items():
            cpu[arm].append(cpu_of_run(seed, a.days, **kw))
    split, total = stage_split(1, a.days)
    fc_on, fc_off, fc_cost = first_call_cost(max(1, min(a.repeat, 5)))

    med = statistics.median
    base = cpu["whole model (default, fused kernels)"]
    lines = [f"## The default run: CPU per {a.days}-day baseline run (bench_default_run.py)", "",
             results.context(__file__, load0), "",
             f"Seeds 1–{a.repeat}, the arms interleaved seed by seed in one process; build + simulate, CPU "
             f"seconds (median, min–max: other work on a shared machine inflates CPU time too, through the caches); "
             f"ratio = arm ÷ whole model, per seed (median). Issue #16's target for the whole "
             f"model: ≤ {TARGET_S} s per 756-day run.", "",
             "| arm | CPU s per run | range | ratio to the default |", "|---|---:|---:|---:|"]
    for arm, xs in cpu.items():
        r = [x / b for x, b in zip(xs, base)]
        lines.append(f"| {arm} | **{med(xs):.3f}** | {min(xs):.3f}–{max(xs):.3f} | {med(r):.2f} |")
    met = med(base) <= TARGET_S * a.days / 756
    saved = med([n - b for n, b in zip(cpu[NUMPY_ARM], base)])
    lines += ["", f"Target ≤ {TARGET_S} s per 756 days: **{'met' if met else 'not met'}** "
              f"({med(base) / a.days * 1e3:.2f} ms per day).", "",
              f"The fused kernels save **{saved:.3f} s** per {a.days}-day run (median of the per-seed "
              f"differences, numpy path − default). Their one-off cost in a fresh process (import numba, "
              f"load the cached kernels; `python -c` building a baseline model and running 5 days, CPU of "
              f"the whole process, median of {max(1, min(a.repeat, 5))}): **{fc_on:.2f} s** with the "
              f"kernels, {fc_off:.2f} s without, **+{fc_cost:.2f} s** (paired) — repaid after "
              f"≈ {fc_cost / max(saved, 1e-9) * a.days:,.0f} simulated days, hence agents/jit.py's auto "
              f"mode (the kernels from a process's {jit.AUTO_AFTER_DAYS:,}th day).", "",
              f"Where a default run's CPU goes (one instrumented run, seed 1, {total:.2f} CPU s with timers; "
              "elapsed time per stage scaled to the run's CPU; µs per day):",
              "", "| stage | µs/day | share |", "|---|---:|---:|"]
    for k, v in sorted(split.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {k} | {v:.0f} | {v * a.days / 1e6 / total:.0%} |")
    results.publish(__file__, lines, write=not a.quick)


if __name__ == "__main__":
    main()
