"""Stability by construction (issue #12 item 1): the worst-case round-to-round gain of the intraday
cascade, G = (M + g_max·R·M)·S/C, is below 1 at every corner of the joint plausible ranges of the
params files, and a simulated cascade at the worst corner contracts at least that fast."""

from __future__ import annotations

import numpy as np
import pytest

from interlock.config import Params
from interlock.model import stability as ST
from interlock.model.market import Market

P = Params.defaults()


def test_the_worst_case_round_gain_is_below_one_over_the_plausible_box():
    worst = ST.worst_case(P)
    for asset, c in worst.items():
        print(asset, round(c.gain, 3), c.values)
        assert c.gain < 1.0, (asset, c)
        assert np.isfinite(c.kick_bound)             # one-shot kicks add a finite move
    # the box really is the params files' box: the worst SPX corner sits at the top of every range
    v = worst["SPX"].values
    assert v["market.equity_multiplier"] == ST.plausible("market.equity_multiplier")[1]
    assert v["market.transient_ratio"] == ST.plausible("market.transient_ratio")[1]
    assert v["dealer.gamma_stressed"] == ST.plausible("dealer.gamma_stressed")[0]


def test_the_old_ranges_were_unstable():
    """The ranges before issue #12 (M up to 8, R up to 4, depth up to 4, Γ down to −15) give G > 1:
    the bound would have caught the explosions."""
    from interlock.model.impact import round_gain
    cap = sum(P[f"assets.{a}.cap"] for a in P.names_under("assets"))
    assert round_gain(8.0, 4.0, 4.0, cap, 1500.0) > 1.0


def test_a_proportional_cascade_at_the_worst_corner_contracts_round_by_round():
    c = ST.worst_case(P)["SPX"]
    v = c.values
    over = {k: v[k] for k in ("market.equity_multiplier", "market.transient_ratio", "market.depth_factor_max",
                              "market.crossover_equity_bn")}
    m = Market(P.with_overrides(over, "test"), np.random.default_rng(0))
    m.begin_day()
    m.impact.g[:] = v["market.depth_factor_max"]
    S = abs(v["dealer.gamma_stressed"]) / 0.01            # USD bn per unit log move, short gamma chasing
    flow = np.zeros(m.n_instr)
    flow[m.SPX] = -400.0                                   # a large first round
    before = np.log(m.spx)
    m.clear(flow, 1)
    moves = [np.log(m.spx) - before]
    for k in range(2, 12):
        flow[m.SPX] = S * moves[-1]                        # every $ of it chases the last move
        before = np.log(m.spx)
        m.clear(flow, k)
        moves.append(np.log(m.spx) - before)
    ratios = np.abs(np.array(moves[1:]) / np.array(moves[:-1]))
    print(np.round(ratios, 3), round(c.gain, 3))
    assert np.all(ratios <= c.gain + 1e-9)
    assert abs(moves[-1]) < 0.2 * abs(moves[0])
