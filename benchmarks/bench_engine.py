"""Engine benchmark (issue #2): seconds per 756-day baseline run on one core, and the per-day
cost split between agents (decisions and fills), clearing and data collection.

Run by hand:  .venv/bin/python benchmarks/bench_engine.py [--repeat 5]
Appends a dated section to benchmarks/RESULTS.md.
"""

from __future__ import annotations

from results import append_section  # benchmarks/results.py
import argparse
import os
import platform
import statistics
import time
from datetime import date

from interlock.experiments.runner import build_model, simulate

DAYS = 756


def timed_run(seed: int, disabled=()) -> float:
    m = build_model("baseline", seed=seed, disabled=disabled)
    t = time.perf_counter()
    simulate(m, DAYS)
    dt = time.perf_counter() - t
    m.release()
    return dt


def split(seed: int) -> dict[str, float]:
    """Wrap the model's stage functions with timers (one instrumented run)."""
    m = build_model("baseline", seed=seed)
    acc = {"agents": 0.0, "clearing": 0.0, "data collection": 0.0, "fed+macro+values": 0.0}

    def wrap(obj, name, bucket):
        f = getattr(obj, name)

        def g(*a, **k):
            t = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                acc[bucket] += time.perf_counter() - t
        setattr(obj, name, g)

    for pop in m.populations:
        for meth in ("begin_day", "voluntary_orders", "forced_orders", "fill", "end_day"):
            wrap(pop, meth, "agents")
    wrap(m.market, "clear", "clearing")
    wrap(m.market, "draw_noise", "clearing")
    wrap(m.market, "end_day", "clearing")
    wrap(m, "_record", "data collection")
    wrap(m.flows, "add", "data collection")
    wrap(m.fed, "step", "fed+macro+values")
    wrap(m.macro, "step", "fed+macro+values")
    wrap(m.valuation, "update", "fed+macro+values")
    t = time.perf_counter()
    for _ in range(DAYS):
        m.step()
    total = time.perf_counter() - t
    t = time.perf_counter()
    m.series.frame(), m.flows.frame(), m.events.frame()
    acc["data collection"] += time.perf_counter() - t
    total += time.perf_counter() - t
    m.release()
    acc["other (model loop, shocks, VOL)"] = total - sum(acc.values())
    return {k: v / DAYS * 1e6 for k, v in acc.items()} | {"total": total}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    timed_run(0)  # warm-up (imports, caches)
    times = [timed_run(s) for s in range(1, args.repeat + 1)]
    sp = split(1)
    med = statistics.median(times)
    lines = [f"\n## Engine: 756-day baseline ({date.today().isoformat()})",
             f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}; one process, one core.",
             f"- seconds per 756-day baseline run (median of {args.repeat}, seeds 1..{args.repeat}): "
             f"**{med:.3f} s** (min {min(times):.3f}, max {max(times):.3f}); target < 0.5 s",
             f"- per-day cost split (µs/day, one instrumented run; timers add overhead):"]
    for k, v in sp.items():
        if k != "total":
            lines.append(f"  - {k}: {v:.0f} µs")
    text = "\n".join(lines) + "\n"
    print(text)
    append_section(text)


if __name__ == "__main__":
    main()
