"""Firm values with cross-holdings (`model/interlock/values.py`): a firm is worth its own business
plus the stakes it holds, V = V_standalone + S·V, solved exactly; a mark-down at an investee
lowers its investors in proportion to their stakes. The growth multiple prices a revenue stream."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from interlock.model.interlock.values import cross_holding_values, growth_multiple


@st.composite
def holdings(draw):
    """Stakes S (each firm's shares held by others sum to < 1) and standalone values."""
    n = draw(st.integers(1, 6))
    stakes = draw(hnp.arrays(float, (n, n), elements=st.floats(0.0, 1.0)))
    np.fill_diagonal(stakes, 0.0)
    held = stakes.sum(axis=0)
    stakes = stakes / np.maximum(held / 0.9, 1.0)[None, :]          # at most 90% of a firm held
    standalone = draw(hnp.arrays(float, n, elements=st.floats(0.0, 5000.0)))
    return stakes, standalone


@settings(max_examples=200, deadline=None)
@given(holdings())
def test_values_are_the_fixed_point_of_standalone_value_plus_stakes_held(h):
    stakes, standalone = h
    v = cross_holding_values(standalone, stakes)
    assert v == pytest.approx(standalone + stakes @ v, rel=1e-9, abs=1e-6)
    assert (v >= standalone - 1e-6).all()                  # stakes are worth something, never less


def test_two_firms_holding_each_other_match_the_closed_form():
    # A holds 20% of B, B holds 10% of A: V_A = s_A + 0.2 V_B, V_B = s_B + 0.1 V_A
    stakes = np.array([[0.0, 0.2], [0.1, 0.0]])
    v = cross_holding_values(np.array([100.0, 50.0]), stakes)
    assert v == pytest.approx([(100.0 + 0.2 * 50.0) / 0.98, (50.0 + 0.1 * 100.0) / 0.98])


def test_a_mark_down_at_an_investee_lowers_the_investor_by_its_stake():
    # MSFT-like investor holding 27% of an OpenAI-like lab; the lab's business is marked down by 100
    stakes = np.array([[0.0, 0.27], [0.0, 0.0]])
    before = cross_holding_values(np.array([3000.0, 500.0]), stakes)
    after = cross_holding_values(np.array([3000.0, 400.0]), stakes)
    assert after[1] - before[1] == pytest.approx(-100.0)
    assert after[0] - before[0] == pytest.approx(-27.0)


@settings(max_examples=100, deadline=None)
@given(holdings(), st.data())
def test_a_mark_down_anywhere_never_raises_a_value_and_lowers_every_holder(h, data):
    stakes, standalone = h
    j = data.draw(st.integers(0, len(standalone) - 1))
    cut = standalone.copy()
    cut[j] = 0.5 * cut[j]
    drop = cross_holding_values(standalone, stakes) - cross_holding_values(cut, stakes)
    assert (drop >= -1e-6).all()
    holders = np.flatnonzero(stakes[:, j] > 1e-3)
    if standalone[j] > 1.0:
        assert (drop[holders] > 0).all()


def test_revenue_growing_at_the_long_run_rate_is_worth_revenue_over_r_minus_g():
    # Gordon: $1/yr growing at g forever, discounted at r, is worth 1/(r − g)
    m = growth_multiple(np.array([0.03]), np.array([0.09]), 5.0, 0.03, 0.02)
    assert m[0] == pytest.approx(1.0 / 0.06, rel=1e-3)


def test_the_multiple_rises_with_growth_and_falls_with_the_discount_rate():
    g = np.array([0.0, 0.35, 0.8])
    low, high = growth_multiple(g, np.full(3, 0.08), 5.0, 0.03, 0.02), growth_multiple(g, np.full(3, 0.10), 5.0, 0.03, 0.02)
    assert (np.diff(low) > 0).all() and (high < low).all()
