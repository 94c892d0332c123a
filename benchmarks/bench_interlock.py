"""Interlock benchmark (issue #3): the 756-day baseline with the interlock block on vs off, in one
process, interleaved so that both see the same machine load; plus the block's own cost per day.
The issue's budget: the graph and firm block may slow the baseline by at most 30%.

Run by hand:  .venv/bin/python benchmarks/bench_interlock.py [--repeat 5]
Appends a dated section to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import results  # benchmarks/results.py
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")     # before numpy is imported

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from interlock.experiments.runner import build_model, simulate  # noqa: E402

DAYS = 756


def timed_run(seed: int, interlock: bool) -> tuple[float, float, float]:
    """One 756-day baseline run: wall seconds, CPU seconds of this process (less sensitive to a
    shared machine's load), and CPU seconds spent inside the interlock block."""
    m = build_model("baseline", seed=seed, disabled=() if interlock else ("interlock",))
    inside = 0.0
    block = m.block("interlock")
    if block is not None:
        f = block.begin_day

        def timed_begin_day():
            nonlocal inside
            t0 = time.process_time()
            f()
            inside += time.process_time() - t0
        block.begin_day = timed_begin_day
    t, c = time.perf_counter(), time.process_time()
    simulate(m, DAYS)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    m.release()
    return wall, cpu, inside


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-write", action="store_true", help="print only; do not write RESULTS.md")
    ap.add_argument("--quick", action="store_true", help="1 pair of 60-day runs; print only")
    args = ap.parse_args()
    global DAYS
    if args.quick:
        args.repeat, args.no_write, DAYS = 1, True, 60
    load0 = results.load()
    timed_run(0, True), timed_run(0, False)              # warm-up (imports, caches)
    on, off, cpu_on, cpu_off, inside = [], [], [], [], []
    for seed in range(1, args.repeat + 1):               # interleaved: on/off see the same load
        wall, cpu, block = timed_run(seed, True)
        on.append(wall)
        cpu_on.append(cpu)
        inside.append(block)
        wall, cpu, _ = timed_run(seed, False)
        off.append(wall)
        cpu_off.append(cpu)
    med = statistics.median
    ratio_wall = [a / b for a, b in zip(on, off)]
    ratio_cpu = [a / b for a, b in zip(cpu_on, cpu_off)]
    lines = [f"## Interlock block: {DAYS}-day baseline on vs off (bench_interlock.py)", "",
             results.context(__file__, load0), "",
             f"One process, on/off runs interleaved seed by seed (seeds 1..{args.repeat}); CPU time is the measure "
             "(wall time shown for reference).",
             f"- wall seconds per run: on **{med(on):.3f} s**, off **{med(off):.3f} s**; ratio "
             f"{med(ratio_wall):.2f} (range {min(ratio_wall):.2f}–{max(ratio_wall):.2f})",
             f"- CPU seconds per run: on **{med(cpu_on):.3f} s**, off **{med(cpu_off):.3f} s**; ratio "
             f"**{med(ratio_cpu):.2f}** (range {min(ratio_cpu):.2f}–{max(ratio_cpu):.2f}); budget ≤ 1.30",
             f"- CPU inside the block: {med(inside) / DAYS * 1e6:.0f} µs/day "
             f"({med([i / t for i, t in zip(inside, cpu_on)]):.1%} of the run with it on)"]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.no_write:
        return
    results.write_section(__file__, text)


if __name__ == "__main__":
    main()
