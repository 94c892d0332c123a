"""The AI compute market (`model/interlock/compute_market.py`): capacity is built from capex four
quarters earlier; utilisation is demand over capacity; an efficiency gain divides the compute each
unit of AI use needs (and use responds to cheaper AI by the Jevons elasticity); a power cap leaves
capacity stranded, waiting for energy; capex responds to the level of utilisation a year ahead
against the operators' target (issue #14)."""

from __future__ import annotations

import math

import pytest

from interlock.config import Params
from interlock.model.interlock.compute_market import ComputeMarket

P = Params.defaults()
CAPEX0 = 400.0                      # USD bn/yr: today's AI capex run-rate (≈ the firms table)


def market(**overrides) -> ComputeMarket:
    p = P.with_overrides({f"interlock.compute.{k}": v for k, v in overrides.items()}, "test") if overrides else P
    return ComputeMarket(p, CAPEX0, fade_years=5.0, long_run_growth=0.03)


def run(cm: ComputeMarket, days: int, capex=lambda day: CAPEX0, first: int = 1) -> list[float]:
    caps = []
    for day in range(first, first + days):
        cm.step(day, capex(day))
        caps.append(cm.capacity)
    return caps


def test_capacity_responds_to_capex_only_after_the_build_lag():
    flat, boom = market(), market()
    lag = flat.lag_days
    assert lag == 4 * P["run.days_per_quarter"]
    a = run(flat, lag + 20)
    b = run(boom, lag + 20, capex=lambda day: 2 * CAPEX0)      # capex doubles from day 1
    assert b[:lag] == a[:lag]                                  # nothing built yet
    assert all(y > x for x, y in zip(a[lag:], b[lag:]))       # then twice the additions


def test_a_year_of_todays_capex_adds_the_observed_net_supply_growth():
    cm = market()
    run(cm, 252)
    assert cm.capacity - 1.0 == pytest.approx(P["interlock.compute.supply_growth"], rel=0.1)


def test_utilisation_is_demand_over_capacity_and_starts_at_the_observed_level():
    cm = market()
    assert cm.utilisation == P["interlock.compute.utilisation"]
    for day in range(1, 121):
        cm.step(day, CAPEX0)
        if day % 40 == 0:
            assert cm.utilisation == pytest.approx(min(1.0, cm.demand / cm.capacity))
            assert cm.planning_utilisation == pytest.approx(cm.demand / (cm.capacity + cm.stranded))
    glut = market(demand_growth=0.15)
    run(glut, 120)
    assert glut.utilisation < P["interlock.compute.utilisation"]   # supply +50%/yr outgrows demand +15%


def test_demand_outgrowing_capacity_saturates_utilisation_at_one():
    cm = market(demand_growth=3.0, supply_growth=0.0)
    run(cm, 252)
    assert cm.demand > cm.capacity and cm.utilisation == 1.0


def test_an_efficiency_gain_divides_compute_per_unit_of_ai_use():
    base, eff = market(jevons_elasticity=0.0), market(jevons_elasticity=0.0)   # no price response of use
    eff.efficiency = 1.7
    run(base, 10), run(eff, 10)
    assert eff.demand / base.demand == pytest.approx(1.0 / 1.7)
    assert eff.utilisation / base.utilisation == pytest.approx(1.0 / 1.7)


def test_cheaper_ai_raises_use_by_the_jevons_elasticity():
    # demand ∝ k^(φ·ε − 1): φ·ε < 1 → compute demand falls; φ·ε > 1 (Jevons paradox) → it rises
    phi = P["interlock.compute.price_passthrough"]
    for eps in (0.6, 3.0):
        base, eff = market(jevons_elasticity=eps), market(jevons_elasticity=eps)
        eff.efficiency = 2.0
        run(base, 5), run(eff, 5)
        assert eff.demand / base.demand == pytest.approx(2.0 ** (phi * eps - 1.0))
    assert phi * 3.0 > 1.0 > phi * 0.6


def test_a_power_cap_strands_the_capacity_it_cannot_energise():
    free, capped = market(), market(power_growth_cap=0.0)
    run(free, 252), run(capped, 252)
    assert free.stranded == 0.0 and free.capacity > 1.4
    assert capped.capacity == pytest.approx(1.0)               # energised only to replace depreciation
    assert capped.stranded > 0.4                                # the rest of a year's build-out waits
    assert capped.planning_utilisation < capped.utilisation     # firms plan against all they built


def test_the_gap_is_utilisation_a_year_ahead_against_the_target_level_not_against_a_plan():
    # at the target, with demand expected to grow as fast as the capacity already paid for: no gap
    g = math.log(1.0 + P["interlock.compute.supply_growth"])     # net supply growth, in logs
    cm = market(utilisation=0.8, target_utilisation=0.8, demand_growth=g, expected_demand_growth=g)
    K1, stranded = cm.capacity_ahead()
    assert math.log(K1) == pytest.approx(g) and stranded == 0.0  # a year of today's capex, built
    assert cm.utilisation_gap(0.0) == pytest.approx(0.0, abs=1e-12)
    # the same market expecting slower demand (a glut coming): capex is cut even though nothing was
    # planned otherwise; demand outrunning the build-out: capex rises
    slow = market(utilisation=0.8, target_utilisation=0.8, demand_growth=g, expected_demand_growth=0.15)
    fast = market(utilisation=0.8, target_utilisation=0.8, demand_growth=g, expected_demand_growth=0.8)
    assert slow.utilisation_gap(0.0) == pytest.approx(0.15 - g, abs=1e-9) and 0.15 < g
    assert fast.utilisation_gap(0.0) == pytest.approx(0.8 - g, abs=1e-9) and 0.8 > g
    # a low utilisation is a gap by itself (seeds/003's 27% against a target of 80%)
    low = market(utilisation=0.27, target_utilisation=0.8, demand_growth=g, expected_demand_growth=g)
    assert low.utilisation_gap(0.0) == pytest.approx(math.log(0.27 / 0.8), abs=1e-9)


def test_capacity_ahead_counts_the_capex_already_in_the_pipeline():
    cm = market(expected_demand_growth=0.0)
    run(cm, 126, capex=lambda day: 2 * CAPEX0)                 # half a year of doubled capex
    K1, _ = cm.capacity_ahead()
    base = market(expected_demand_growth=0.0)
    run(base, 126)
    K1b, _ = base.capacity_ahead()
    assert K1 > K1b                                             # the doubled half-year arrives within a year
