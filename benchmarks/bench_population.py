"""Can the retail crypto population be smaller? (issue #16) Each candidate resolution — fewer rows,
rows of equal wealth instead of equal people — is compared with the 100,000-row reference population
(MODEL.md §3.5) by a paired TOST over seeds on the crypto outputs: liquidations (the year's total,
the largest day), BTC's drawdown and volatility, ETF and retail flows, the lowest trust. The margins
(tests/helpers/crypto_helpers.py, EQUIVALENCE_BOUNDS) were written before any comparison was run;
a candidate is equivalent only if every metric of every scenario passes (intersection–union, α = 0.05).
Also the candidates' CPU per run of the retail pass's scenario, from the same runs.

    python benchmarks/bench_population.py [--seeds 40]     # writes its section of RESULTS.md
    python benchmarks/bench_population.py --quick          # 3 seeds, one candidate, prints only
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
from crypto_helpers import EQUIVALENCE_BOUNDS, REFERENCE, crypto_outputs, tost_paired  # noqa: E402

CANDIDATES = {
    "10,000 rows, equal people": {"retail_crypto.n_holders": 10_000, "retail_crypto.row_sampling": "people"},
    "20,000 rows, equal wealth": {"retail_crypto.n_holders": 20_000, "retail_crypto.row_sampling": "wealth"},
    "20,000 rows, equal wealth, half of them leveraged": {
        "retail_crypto.n_holders": 20_000, "retail_crypto.row_sampling": "wealth",
        "retail_crypto.leveraged_row_share": 0.5},
}


def timed_outputs(scenario, days, seed, overrides):
    c = time.process_time()
    out = crypto_outputs(scenario, days, seed, overrides)
    out["_cpu_s"] = time.process_time() - c
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="3 seeds, the first candidate; print, write nothing")
    a = ap.parse_args()
    cands = dict(list(CANDIDATES.items())[:1]) if a.quick else CANDIDATES
    seeds = range(1, (3 if a.quick else a.seeds) + 1)
    load0 = results.load()
    arms = {"reference (100,000 rows, equal people)": REFERENCE, **cands}
    lines = [f"## Sizing the retail population: equivalence to the 100,000-row reference (bench_population.py)", "",
             results.context(__file__, load0), "",
             f"Paired TOST over seeds 1–{len(seeds)} (same seed: every other component draws the same numbers), "
             "α = 0.05 per metric, every metric must pass; margins set before looking "
             "(tests/helpers/crypto_helpers.py). Cell: mean difference candidate − reference, its 90% CI, the "
             "margin; ✓ = equivalent. The runs were spread over "
             f"{a.workers} processes; CPU per run is each run's own process time.", ""]
    verdict = {c: True for c in cands}
    for (scenario, days), bounds in EQUIVALENCE_BOUNDS.items():
        jobs = [(scenario, days, s, ov) for ov in arms.values() for s in seeds]
        with ProcessPoolExecutor(a.workers) as pool:
            outs = list(pool.map(timed_outputs, *zip(*jobs)))
        per_arm = {arm: outs[i * len(seeds):(i + 1) * len(seeds)] for i, arm in enumerate(arms)}
        ref = per_arm["reference (100,000 rows, equal people)"]
        cpu = {arm: np.median([o["_cpu_s"] for o in o_]) for arm, o_ in per_arm.items()}
        lines += [f"**{scenario}, {days} days.** CPU per run (median): "
                  + "; ".join(f"{arm} {c:.2f} s" for arm, c in cpu.items()) + ".", "",
                  "| metric (margin rule) | reference mean (s.d.) | " + " | ".join(cands) + " |",
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
    lines.append("Verdict: " + "; ".join(f"{c}: **{'equivalent' if ok else 'not shown equivalent'}**"
                                        for c, ok in verdict.items()) + ".")
    results.publish(__file__, lines, write=not a.quick)


if __name__ == "__main__":
    main()
