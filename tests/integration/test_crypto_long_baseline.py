"""BTC over long calm baselines (issue #13): the shape of daily returns, the rarity of large
liquidation days, funding and squeezes. The bands and the measures, set from data before any model
run, are `interlock.experiments.validation.crypto_shape`'s (its docstring gives the sources).

The CI test runs 3 seeds × 1,500 days (medians over seeds); `python tests/integration/
test_crypto_long_baseline.py [seeds] [days]` prints the full table, and `python benchmarks/
bench_crypto_long.py` writes it to benchmarks/RESULTS.md (10 × 3,000; docs/validation.md)."""

from __future__ import annotations

import sys

import numpy as np

from interlock.experiments.validation import crypto_shape as C

SEEDS = (1, 2, 3)
DAYS = 1500


def table(seeds=SEEDS, days=DAYS) -> dict[str, list[float]]:
    return C.table(seeds, days)


def test_btc_returns_have_the_data_shape_over_long_baselines():
    t = table()
    for k, (lo, hi) in C.SHAPE_BANDS.items():       # kurtosis: the data's band (H14), not the 5–10
        assert lo <= np.median(t[k]) <= hi, k


def test_liquidation_days_above_5bn_are_rare_in_a_calm_baseline():
    t = table()
    for k, limit in C.LIQ_LIMITS.items():
        assert np.mean(t[k]) <= limit, k
    assert max(t["liq_bn_per_year"]) <= C.LIQ_MAX_BN_PER_YEAR


def test_funding_sits_at_the_base_rate_and_strong_up_days_squeeze_the_shorts():
    t = table()
    lo, hi = C.FUNDING_BAND
    assert all(lo <= f <= hi for f in t["funding_mean_8h"])
    assert sum(t["up8_days"]) > 0
    assert sum(t["up8_short_liq_bn"]) > sum(t["up8_long_liq_bn"])


if __name__ == "__main__":
    seeds = tuple(range(1, int(sys.argv[1]) + 1)) if len(sys.argv) > 1 else tuple(range(1, 11))
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    t = table(seeds, days)
    for k, v in t.items():
        print(f"{k:26s} median {np.median(v):10.4g}  range {min(v):.4g} … {max(v):.4g}")
