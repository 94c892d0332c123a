"""Shocks (MODEL.md §4): one explicit table holds every type the design asks for, each type
validates its fields, and each policy and market shock changes the state its summary names, on the
days the model applies it (`apply` on day `at`, `during` each day of its duration, `end` after)."""

from __future__ import annotations

import math
from typing import ClassVar

import pytest
from pydantic import ValidationError

from interlock.config import Params
from interlock.model.model import CapitalFlowModel
from interlock.model.shocks import SHOCK_TYPES, Shock

# MODEL.md §4, "Shock types at least:"
MODEL_MD_TYPES = ["fed_cut", "fed_hike", "fed_guidance", "fed_independence", "balance_sheet", "vol_spike",
                  "capex_cut", "ai_efficiency", "agentic_adoption", "lab_funding_gap", "earnings_miss",
                  "exchange_hack", "custody_failure", "stablecoin_demand", "buyback_ban", "buyback_tax",
                  "tariff", "fiscal_cut", "energy_cap"]


def _model(shocks=()) -> CapitalFlowModel:
    """A small model: the firm block and the crypto holders are off (these shocks do not reach them)."""
    return CapitalFlowModel(Params.defaults(), seed=1, shocks=shocks,
                            disabled=["interlock", "retail_crypto", "crypto_etf"])


def test_every_shock_type_of_the_design_is_in_the_table():
    missing = [t for t in MODEL_MD_TYPES if t not in SHOCK_TYPES]
    assert not missing
    assert all(cls.type_name == name and cls.summary for name, cls in SHOCK_TYPES.items())


def test_every_shock_class_in_the_shock_modules_can_be_written_in_a_scenario():
    """A class with a type_name that is not in the table cannot be named in a scenario file: the
    policy_uncertainty, term_premium and macro_surprise shocks were usable from Python only."""
    import inspect

    from interlock.experiments.scenarios import load_scenario  # noqa: F401 - the loader reads SHOCK_TYPES
    from interlock.model.shocks import ai, crypto, markets, policy
    defined = {cls.type_name for mod in (ai, crypto, markets, policy) for _, cls in inspect.getmembers(mod, inspect.isclass)
               if issubclass(cls, Shock) and cls.type_name and cls.__module__ == mod.__name__}
    assert defined - set(SHOCK_TYPES) == set()
    assert {"policy_uncertainty", "term_premium", "macro_surprise"} <= set(SHOCK_TYPES)


@pytest.mark.parametrize("name", sorted(SHOCK_TYPES))
def test_every_type_refuses_an_unknown_field_and_a_day_before_the_first(name):
    with pytest.raises(ValidationError):
        SHOCK_TYPES[name](at=0)
    with pytest.raises(ValidationError, match="no_such_field"):
        SHOCK_TYPES[name].model_validate({"at": 1, "no_such_field": 1.0})


def test_a_shock_applies_on_its_day_acts_during_its_duration_and_ends_after_it():
    class Probe(Shock):
        type_name = "probe"
        seen: ClassVar[list] = []

        def apply(self, model):
            self.seen.append(("apply", model.day))

        def during(self, model, k):
            self.seen.append(("during", model.day, k))

        def end(self, model):
            self.seen.append(("end", model.day))

    model = _model([Probe(at=3, duration=2)])
    for _ in range(6):
        model.step()
    assert Probe.seen == [("apply", 3), ("during", 3, 0), ("during", 4, 1), ("end", 5)]
    assert model.events.frame().query("kind == 'shock'")["day"].tolist() == [3]


@pytest.mark.parametrize("name, sign", [("fed_cut", -1), ("fed_hike", +1)])
def test_an_unscheduled_move_shifts_the_policy_rate_the_shadow_rate_and_the_stance(name, sign):
    model = _model()
    fed = model.fed
    rate0, shadow0, path0, stance0 = fed.policy_rate, fed.shadow, fed.path_average(1.0), fed.stance
    SHOCK_TYPES[name](at=1, bps=50).apply(model)
    assert fed.policy_rate == pytest.approx(rate0 + sign * 0.005)
    assert fed.shadow == pytest.approx(shadow0 + sign * 0.005)
    assert fed.stance - stance0 == pytest.approx(-sign * 0.005)     # on top of the day-0 stance the market priced
    assert sign * (fed.path_average(1.0) - path0) > 0.001       # the market reads a persistent move


def test_guidance_pins_the_odds_on_its_days_and_shifts_the_path():
    model = _model()
    SHOCK_TYPES["fed_guidance"](at=4, probs=[0.8, 0.3, 0.8], spacing=5).apply(model)
    assert model.fed.pins == {4: 0.8, 9: 0.3, 14: 0.8}
    assert model.fed.cut_prob == pytest.approx(0.8)
    stance = model.fed.stance
    SHOCK_TYPES["fed_guidance"](at=4, path_bps=-25.0).apply(model)
    assert model.fed.stance - stance == pytest.approx(0.0025)
    with pytest.raises(ValidationError, match="probs"):
        SHOCK_TYPES["fed_guidance"](at=4)


def test_political_pressure_ramps_in_over_the_duration():
    model = _model()
    shock = SHOCK_TYPES["fed_independence"](at=1, duration=4, pressure=0.01)
    for k in range(4):
        shock.during(model, k)
        assert model.fed.political_pressure == pytest.approx(0.01 * (k + 1) / 4)


def test_the_balance_sheet_shock_sets_the_pace_and_replaces_the_schedule():
    model = _model()
    SHOCK_TYPES["balance_sheet"](at=1, pace=40.0, duration_share=1.0).apply(model)
    assert (model.fed.pace, model.fed.duration_share, model.fed.scheduled) == (40.0, 1.0, False)


def test_a_tariff_moves_the_effective_rate_both_ways_and_reaches_growth_earnings_and_uncertainty():
    model = _model()
    mac = model.macro
    level, growth = mac.tariff_rate, mac.growth_anchor()
    SHOCK_TYPES["tariff"](at=1, rate=0.1).apply(model)
    assert mac.tariff_rate == pytest.approx(level + 0.1)
    assert growth - mac.growth_anchor() == pytest.approx(mac.tariff_drag * 0.1)
    assert mac.uncertainty > 0
    SHOCK_TYPES["tariff"](at=2, rate=-0.1).apply(model)          # a pause: a negative change
    assert mac.tariff_rate == pytest.approx(level)
    assert mac.growth_anchor() == pytest.approx(growth)


def test_a_fiscal_cut_lowers_growth_and_the_deficit():
    model = _model()
    mac = model.macro
    growth, deficit = mac.growth_anchor(), mac.deficit
    SHOCK_TYPES["fiscal_cut"](at=1, share=0.01).apply(model)
    assert growth - mac.growth_anchor() == pytest.approx(mac.fiscal_multiplier * 0.01)
    assert mac.deficit == pytest.approx(deficit - 0.01)


def test_a_vol_spike_scales_equity_noise_lifts_vol_and_prices_the_drop_then_ends():
    model = _model()
    m, vol = model.market, model.vol
    v0 = vol.vol_1m
    shock = SHOCK_TYPES["vol_spike"](at=1, duration=3, noise_multiplier=3.0, vol_points=10.0, drop=-0.05)
    shock.apply(model)
    assert all(m.noise_scale[m.is_equity] == 3.0) and all(m.noise_scale[~m.is_equity] == 1.0)
    assert vol.vol_1m == pytest.approx(v0 + 0.10)
    assert m.news[m.is_equity] == pytest.approx(math.log(0.95))
    assert m.news[m.btc] == pytest.approx(model.valuation.btc_risk_beta * math.log(0.95))   # risk-off
    shock.end(model)
    assert all(m.noise_scale == 1.0)


@pytest.mark.parametrize("permanent", [True, False])
def test_a_buyback_ban_stops_the_named_desks(permanent):
    model = _model()
    book = model.population("buyback")
    shock = SHOCK_TYPES["buyback_ban"](at=1, firms=["NVDA", "REST"], share=1.0, permanent=permanent)
    shock.apply(model)
    named = [n == "NVDA" or n.startswith("REST-") for n in book.desk_names]
    assert book.ban_share.tolist() == [1.0 if x else 0.0 for x in named]
    shock.end(model)
    assert book.ban_share.any() == permanent


def test_a_ban_on_all_desks_and_a_ban_on_an_unknown_desk():
    model = _model()
    SHOCK_TYPES["buyback_ban"](at=1, share=0.5).apply(model)
    assert all(model.population("buyback").ban_share == 0.5)
    with pytest.raises(ValidationError, match="unknown buyback desks"):
        SHOCK_TYPES["buyback_ban"](at=1, firms=["LMT"])


def test_a_buyback_tax_sets_the_rate_the_desks_pay():
    model = _model()
    SHOCK_TYPES["buyback_tax"](at=1, rate=0.04).apply(model)
    assert model.population("buyback").tax_rate == 0.04

