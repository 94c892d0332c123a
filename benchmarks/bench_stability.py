"""Stability sweep (issue #12): ≥ 2,000 Latin-hypercube points over every plausible range of the
params files and every narrative's [uncertain] box (`interlock.experiments.validation.stability`),
each a short run of its narrative's scenario; counts the runs in which a guard bound (the issue's
bar: zero), and reports the worst daily moves and the longest cascades. Then the long baselines: 10
seeds × 3,000 days of `baseline` with the default population (the drift over 12 years is where
one-sided sizing showed: a BTC that lost 95% with CTAs short 21% of its cap), the same bar.

    python benchmarks/bench_stability.py [--points 2000] [--days 60] [--workers 2] [--long-seeds 10]
    python benchmarks/bench_stability.py --quick      # 40 points × 10 days, 2 × 200-day baselines; prints only
Its section of benchmarks/RESULTS.md opens with `results.context` (script, commit, machine, load).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")     # before numpy is imported

import argparse  # noqa: E402
import logging  # noqa: E402
import multiprocessing as mp  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import results  # noqa: E402  (benchmarks/results.py)

from interlock.experiments.validation import stability as S  # noqa: E402


def _one(args):
    i, pt, days = args
    logging.getLogger("interlock").setLevel(logging.ERROR)
    t0 = time.process_time()
    o = S.run_point(pt, days)
    return i, o, time.process_time() - t0


def _long(args):
    seed, days = args
    logging.getLogger("interlock").setLevel(logging.ERROR)
    from interlock.experiments.runner import run
    t0 = time.process_time()
    r = run("baseline", days=days, seed=seed, amplification=False)
    btc = r.timeseries["BTC"].to_numpy()
    return seed, r.summary["stability"], float(btc.min() / btc[0]), float(btc[-1] / btc[0]), time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--long-seeds", type=int, default=10)
    ap.add_argument("--long-days", type=int, default=3000)
    ap.add_argument("--quick", action="store_true", help="40 points × 10 days; print only")
    args = ap.parse_args()
    if args.quick:
        args.points, args.days, args.long_seeds, args.long_days = 40, 10, 2, 200
    load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    pts = S.design(args.points, seed=args.seed)
    t0 = time.time()
    with mp.get_context("fork").Pool(args.workers) as pool:
        res = sorted(pool.map(_one, [(i, p, args.days) for i, p in enumerate(pts)], chunksize=8),
                     key=lambda x: x[0])
        longs = sorted(pool.map(_long, [(s, args.long_days) for s in range(1, args.long_seeds + 1)], chunksize=1))
    wall = time.time() - t0
    outs = [o for _, o, _ in res]
    cpu = sum(c for _, _, c in res) + sum(x[-1] for x in longs)
    long_bad = [(s, st["reasons"]) for s, st, *_ in longs if not st["stable"]]
    unstable = [(i, o) for i, o, _ in res if not o.stable]
    worst = np.array([o.worst_day for o in outs])
    worst_btc = np.array([o.worst_btc_day for o in outs])
    rounds = np.array([o.max_rounds for o in outs])
    by_narr: dict[str, int] = {}
    for o in outs:
        by_narr[o.point.narrative] = by_narr.get(o.point.narrative, 0) + 1
    axes = len(set(S.plausible_boxes()) | {k for _, _, b in S.narrative_boxes() for k in b})
    lines = [f"## Stability sweep, {args.points} points (issue #12; bench_stability.py)", "",
             results.context(__file__, load0), "",
             f"{args.workers} worker processes; {cpu:.0f} s CPU in the runs ({wall:.0f} s wall).", "",
             f"- design: Latin hypercube over {axes} parameters (every plausible range in the params files; each "
             f"narrative's [uncertain] box where it names one), {args.days}-day runs of each narrative's scenario, "
             f"seed 1; points per narrative: " + ", ".join(f"{k} {v}" for k, v in sorted(by_narr.items())),
             f"- **runs where a guard bound: {len(unstable)} of {len(outs)}**"
             + ("" if not unstable else " — " + "; ".join(f"#{i} {o.point.narrative}: {o.reasons[:1]}"
                                                           for i, o in unstable[:10])),
             f"- worst daily SPX log return: median {np.median(worst):.3f}, 1% quantile {np.quantile(worst, 0.01):.3f}, "
             f"min {worst.min():.3f}; worst daily BTC: median {np.median(worst_btc):.3f}, min {worst_btc.min():.3f}",
             f"- forced clearing rounds in a day: median of the run maxima {np.median(rounds):.0f}, max {rounds.max()} "
             f"(cap `run.max_clearing_rounds` = 50)",
             f"- long baselines ({args.long_seeds} seeds × {args.long_days} days, default population): "
             f"**runs where a guard bound: {len(long_bad)} of {len(longs)}**"
             + ("" if not long_bad else " — " + "; ".join(f"seed {s}: {r[:2]}" for s, r in long_bad))
             + "; BTC's lowest price ÷ its start: " + ", ".join(f"{x[2]:.2f}" for x in longs)
             + "; at the end: " + ", ".join(f"{x[3]:.2f}" for x in longs)]
    results.publish(__file__, lines, write=not args.quick)


if __name__ == "__main__":
    main()
