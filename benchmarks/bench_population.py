"""Can the retail crypto population be smaller? (issue #16) Candidate resolutions — fewer rows, rows
of equal wealth instead of equal people — against a reference population, by a paired TOST over
seeds on the crypto outputs: liquidations (the year's total, the largest day), BTC's drawdown and
volatility, ETF and retail flows, the lowest trust. The margins (tests/helpers/crypto_helpers.py,
EQUIVALENCE_BOUNDS) were written before any comparison was run; a candidate is equivalent only if
every metric of every scenario passes (intersection–union, α = 0.05). Two references:

1. the 100,000-row population of MODEL.md §3.5, every row the same number of people (REFERENCE);
2. a converged one: 200,000 wealth-weighted rows (CONVERGED, CONVERGENCE_SEEDS seeds) — added
   after (1) showed the 100,000-row population is itself noisy; stated before it was used.

Also each arm's CPU per run, from the same runs (each run's own process time).

    python benchmarks/bench_population.py                  # writes its section of RESULTS.md
    python benchmarks/bench_population.py --quick          # 3 seeds, one candidate each, prints only
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

import results  # benchmarks/results.py

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "helpers"))
from crypto_helpers import (CONVERGED, CONVERGENCE_SEEDS, EQUIVALENCE_BOUNDS, REFERENCE,  # noqa: E402
                            crypto_outputs, tost_paired)


def wealth_rows(n: int) -> dict:
    return {"retail_crypto.n_holders": n, "retail_crypto.row_sampling": "wealth"}


COMPARISONS = [
    ("the 100,000-row reference, equal people per row (MODEL.md §3.5)", REFERENCE, 40, {
        "10,000 rows, equal people": {"retail_crypto.n_holders": 10_000, "retail_crypto.row_sampling": "people"},
        "20,000 rows, equal wealth": wealth_rows(20_000),
        "20,000 rows, equal wealth, half of them leveraged": {**wealth_rows(20_000),
                                                              "retail_crypto.leveraged_row_share": 0.5},
    }),
    ("the converged reference, 200,000 wealth-weighted rows", CONVERGED, CONVERGENCE_SEEDS, {
        "10,000 rows, equal wealth": wealth_rows(10_000),
        "20,000 rows, equal wealth": wealth_rows(20_000),
        "40,000 rows, equal wealth": wealth_rows(40_000),
        "100,000 rows, equal people (MODEL.md §3.5)": REFERENCE,
    }),
]


def timed_outputs(scenario, days, seed, overrides):
    c = time.process_time()
    out = crypto_outputs(scenario, days, seed, overrides)
    out["_cpu_s"] = time.process_time() - c
    return out


def compare(title: str, reference: dict, n_seeds: int, cands: dict, workers: int) -> tuple[list[str], dict]:
    """The section lines of one comparison, and each candidate's verdict."""
    seeds = range(1, n_seeds + 1)
    arms = {"reference": reference, **cands}
    lines = [f"### Against {title}", "",
             f"Paired TOST over seeds 1–{n_seeds}; cell: mean difference candidate − reference, its 90% CI, "
             "the margin; ✓ = equivalent on that metric.", ""]
    verdict = {c: True for c in cands}
    for (scenario, days), bounds in EQUIVALENCE_BOUNDS.items():
        jobs = [(scenario, days, s, ov) for ov in arms.values() for s in seeds]
        with ProcessPoolExecutor(workers) as pool:
            outs = list(pool.map(timed_outputs, *zip(*jobs), chunksize=4))
        per_arm = {arm: outs[i * n_seeds:(i + 1) * n_seeds] for i, arm in enumerate(arms)}
        ref = per_arm["reference"]
        cpu = {arm: np.median([o["_cpu_s"] for o in o_]) for arm, o_ in per_arm.items()}
        lines += [f"**{scenario}, {days} days.** CPU per run (median): "
                  + "; ".join(f"{arm} {c:.2f} s" for arm, c in cpu.items()) + ".", "",
                  "| metric (margin) | reference mean (s.d.) | " + " | ".join(cands) + " |",
                  "|---|---:|" + "---:|" * len(cands)]
        for b in bounds:
            r = np.array([o[b.metric] for o in ref], dtype=float)
            margin = b.margin(r.mean())
            cells = []
            for c in cands:
                d = np.array([o[b.metric] for o in per_arm[c]], dtype=float) - r
                ok, p, (lo, hi) = tost_paired(d, margin)
                verdict[c] &= ok
                cells.append(f"{d.mean():+.3g} [{lo:+.3g}, {hi:+.3g}] ±{margin:.3g} {'✓' if ok else '✗'}")
            lines.append(f"| {b.metric} ({b.why}) | {r.mean():.4g} ({r.std(ddof=1):.3g}) | " + " | ".join(cells) + " |")
        lines.append("")
        print("\n".join(lines[-len(bounds) - 4:]), flush=True)
    lines += ["Verdict: " + "; ".join(f"{c}: **{'equivalent' if ok else 'not shown equivalent'}**"
                                     for c, ok in verdict.items()) + ".", ""]
    return lines, verdict


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", type=int, choices=[1, 2], help="run one comparison only")
    ap.add_argument("--quick", action="store_true", help="3 seeds, one candidate each; print, write nothing")
    a = ap.parse_args()
    load0 = results.load()
    lines = ["## Sizing the retail population: equivalence tests (bench_population.py)", "",
             results.context(__file__, load0), "",
             "α = 0.05 per metric, every metric of both scenarios must pass (intersection–union); margins "
             "(tests/helpers/crypto_helpers.py) set before looking. Same seed: every other component draws "
             f"the same numbers. Runs spread over {a.workers} processes.", ""]
    for k, (title, reference, n_seeds, cands) in enumerate(COMPARISONS, start=1):
        if a.only and a.only != k:
            continue
        if a.quick:
            n_seeds, cands = 3, dict(list(cands.items())[:1])
        part, _ = compare(title, reference, n_seeds, cands, a.workers)
        lines += part
    results.publish(__file__, lines, write=not a.quick and not a.only)


if __name__ == "__main__":
    main()
