"""BTC over long calm baselines (issue #13, "a benchmark for the long runs"): 10 seeds × 3,000 days
of the baseline with a 20,000-row crypto population, the shape of BTC's daily returns, its
liquidation days and funding, beside the bands set from data before any run
(`interlock.experiments.validation.crypto_shape`, the same function the CI test runs on 3 × 1,500).

    python benchmarks/bench_crypto_long.py [--seeds 10] [--days 3000] [--workers 2]
    python benchmarks/bench_crypto_long.py --quick          # 2 seeds × 60 days; prints only
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

from interlock.experiments.validation import crypto_shape as C  # noqa: E402

ROWS = [("vol", "annualised vol", "{:.2f}"), ("kurtosis", "excess kurtosis", "{:.1f}"),
        ("hill", "Hill index, top 5% of absolute returns", "{:.2f}"), ("down10_per_year", "days below −10% a year", "{:.2f}"),
        ("liq_bn_per_year", "liquidations, $bn a year", "{:.1f}"),
        ("days_over_5bn_per_year", "liquidation days ≥ $5bn a year", "{:.2f}"),
        ("days_over_2p5bn_per_year", "liquidation days ≥ $2.5bn a year", "{:.2f}"),
        ("funding_mean_8h", "funding, mean per 8 h", "{:.5f}")]


def _one(args: tuple[int, int]) -> tuple[dict[str, float], float]:
    seed, days = args
    logging.disable(logging.WARNING)
    t = time.process_time()
    row = C.shape(C.long_run(seed, days))
    return row, time.process_time() - t


def _checks() -> dict[str, tuple[str, object]]:
    """Each banded statistic: the band as text, and whether the seeds' values are inside it (the CI
    test's assertions, on crypto_shape's bands)."""
    out: dict[str, tuple[str, object]] = {}
    for key, (lo, hi) in C.SHAPE_BANDS.items():
        extra = f" (issue: {C.ISSUE_KURTOSIS[0]:g}–{C.ISSUE_KURTOSIS[1]:g})" if key == "kurtosis" else ""
        out[key] = (f"median in {lo:g}–{hi:g}{extra}", lambda v, lo=lo, hi=hi: lo <= np.median(v) <= hi)
    for key, limit in C.LIQ_LIMITS.items():
        out[key] = (f"mean ≤ {limit:g}", lambda v, limit=limit: np.mean(v) <= limit)
    out["liq_bn_per_year"] = (f"max ≤ {C.LIQ_MAX_BN_PER_YEAR:g}", lambda v: max(v) <= C.LIQ_MAX_BN_PER_YEAR)
    lo, hi = C.FUNDING_BAND
    out["funding_mean_8h"] = (f"each in {lo:g}–{hi:g}", lambda v: all(lo <= f <= hi for f in v))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--days", type=int, default=3000)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--quick", action="store_true", help="2 seeds × 60 days; print only")
    a = ap.parse_args()
    if a.quick:
        a.seeds, a.days = 2, 60
    load0 = results.load()
    seeds = list(range(1, a.seeds + 1))
    t = time.perf_counter()
    with mp.get_context("spawn").Pool(a.workers) as pool:
        out = pool.map(_one, [(s, a.days) for s in seeds])
    wall = time.perf_counter() - t
    t = {k: [row[k] for row, _ in out] for k in out[0][0]}
    cpu = [c for _, c in out]
    lines = ["## BTC over long calm baselines (bench_crypto_long.py)", "", results.context(__file__, load0), "",
             f"Baseline, {a.seeds} seeds × {a.days:,} days, {C.HOLDERS:,} crypto rows, through "
             f"`interlock.experiments.validation.crypto_shape` (the CI test's function; it runs 3 × 1,500). "
             f"Bands from data, set before any run (the module's docstring; docs/validation.md, \"Crypto market "
             f"structure\"). CPU {sum(cpu):.0f} s in {a.workers} processes (wall {wall:.0f} s).", "",
             "| statistic | median | range over seeds | band | verdict |", "|---|---:|---:|---|---|"]
    checks = _checks()
    for key, label, fmt in ROWS:
        v = t[key]
        band, inside = checks.get(key, ("–", None))
        verdict = "" if inside is None else ("inside" if inside(v) else "**outside**")
        lines.append(f"| {label} | {fmt.format(np.median(v))} | {fmt.format(min(v))} … {fmt.format(max(v))} | "
                     f"{band} | {verdict} |")
    up = sum(t["up8_days"])
    lines += ["", f"Strong up-days (BTC > +8%): {up} over the seeds; short liquidations on them "
              f"${sum(t['up8_short_liq_bn']):.1f}bn against longs' ${sum(t['up8_long_liq_bn']):.1f}bn "
              "(the shorts are squeezed, H11)."]
    lines += ["", "Per seed: " + "; ".join(
        f"{s}: vol {r['vol']:.2f}, kurtosis {r['kurtosis']:.1f}, Hill {r['hill']:.2f}, "
        f"${r['liq_bn_per_year']:.0f}bn liquidated a year, {r['days_over_5bn_per_year']:.2f} days ≥ $5bn a year"
        for s, (r, _) in zip(seeds, out)) + "."]
    results.publish(__file__, lines, write=not a.quick)


if __name__ == "__main__":
    main()
