"""Fed easing — a cut or a balance-sheet expansion — raises retail BTC demand (MODEL.md §3.5, §3.7);
a wider wealth gap raises young holders' appetite (seeds/001)."""

from __future__ import annotations

import numpy as np
import pytest
from crypto_helpers import btc_flows, run_small

# (shocks, last day of the window in which retail buys more BTC): a cut moves the expected policy
# path at once; a balance-sheet expansion works through the 3-month liquidity signal, so slower
EASING = {"fed_cut": ([("fed_cut", {"at": 5, "bps": 50.0})], 9),
          "balance_sheet_expansion": ([("balance_sheet", {"at": 5, "pace": 150.0})], 39)}


@pytest.mark.parametrize("easing", sorted(EASING))
def test_fed_easing_raises_retail_btc_demand(easing):
    shocks, last = EASING[easing]
    _, ts0, f0, _ = run_small(shocks=[], days=40)
    _, ts1, f1, _ = run_small(shocks=shocks, days=40)
    assert btc_flows(f1, first=5, last=last, voluntary_only=True) > \
        btc_flows(f0, first=5, last=last, voluntary_only=True) + 0.3
    assert ts1["retail_btc_appetite"].iloc[6:].mean() > ts0["retail_btc_appetite"].iloc[6:].mean()


def test_a_wider_wealth_gap_raises_young_holders_btc_appetite():
    m0 = run_small(shocks=[], days=20)[0].population("retail_crypto")
    m1 = run_small(shocks=[], days=20, **{"retail_crypto.wealth_gap": 3.0})[0].population("retail_crypto")
    young = np.flatnonzero(m0.young[m0.n_lev:]) + m0.n_lev
    old = np.flatnonzero(~m0.young[m0.n_lev:]) + m0.n_lev
    assert m1.btc[young].sum() > 1.05 * m0.btc[young].sum()
    assert (m1.base_btc[old] == m0.base_btc[old]).all()
