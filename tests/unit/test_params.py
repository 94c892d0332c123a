"""Every agent kind and model component reads its parameters through a typed view declared in its
own module: the view declares every key of its section (a reader of the module sees all of them) and
refuses to build when the params files lack one of its fields."""

from __future__ import annotations

import dataclasses

import pytest

from interlock.agents.buyback import BuybackParams
from interlock.agents.cta import CTAParams
from interlock.agents.dealer import DealerParams
from interlock.agents.discretionary import DiscretionaryParams
from interlock.agents.fed import FedParams
from interlock.agents.vol_target import VolTargetParams
from interlock.config import Params, RunParams
from interlock.errors import InputError
from interlock.model.macro import MacroParams
from interlock.model.market import AssetParams, MarketParams
from interlock.model.valuation import ValuationParams
from interlock.model.volatility import VolParams

VIEWS = [RunParams, MarketParams, AssetParams, VolParams, MacroParams, ValuationParams, FedParams,
         VolTargetParams, CTAParams, BuybackParams, DiscretionaryParams, DealerParams]
DEFAULTS = Params.defaults()


def _build(view, p):
    if view.keyed:
        return [view.from_params(p, name) for name in p.names_under(view.section)]
    return [view.from_params(p)]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.__name__)
def test_a_view_declares_every_key_of_its_section(view):
    assert DEFAULTS.section(view.section), f"no [{view.section}] in the params files"
    assert view.undeclared(DEFAULTS) == []


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.__name__)
def test_a_view_reads_the_values_of_the_params_files(view):
    for built, prefix in zip(_build(view, DEFAULTS),
                             [f"{view.section}.{n}" for n in DEFAULTS.names_under(view.section)]
                             if view.keyed else [view.section]):
        for f in dataclasses.fields(view):
            value = getattr(built, f.name)
            if isinstance(value, dict):
                assert value == DEFAULTS.section(f"{prefix}.{f.name}")
            else:
                assert value == DEFAULTS[f"{prefix}.{f.name}"]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.__name__)
def test_a_view_refuses_params_that_lack_one_of_its_fields(view):
    last = dataclasses.fields(view)[-1].name
    prefix = f"{view.section}.{DEFAULTS.names_under(view.section)[0]}" if view.keyed else view.section
    gone = f"{prefix}.{last}"
    values = {k: v for k, v in DEFAULTS.values.items() if k != gone and not k.startswith(gone + ".")}
    with pytest.raises(KeyError, match=gone.replace(".", r"\.")):
        _build(view, Params(values))


def test_an_undeclared_key_is_reported_with_its_full_path():
    extra = Params({**DEFAULTS.values, "dealer.new_knob": 1.0, "assets.NVDA.new_knob": 2.0})
    assert DealerParams.undeclared(extra) == ["dealer.new_knob"]
    assert AssetParams.undeclared(extra) == ["assets.NVDA.new_knob"]


def test_a_sub_table_is_read_as_a_mapping():
    q = BuybackParams.from_params(DEFAULTS)
    assert q.earnings_day["NVDA"] == DEFAULTS["buyback.earnings_day.NVDA"]
    assert set(q.earnings_day) == set(DEFAULTS.names_under("buyback.earnings_day"))


def test_a_keyed_view_needs_the_name_of_its_table_and_a_plain_view_refuses_one():
    with pytest.raises(TypeError):
        AssetParams.from_params(DEFAULTS)
    with pytest.raises(TypeError):
        DealerParams.from_params(DEFAULTS, "NVDA")


def test_the_cta_crossovers_are_the_model_md_pairs_8_32_16_64_32_128():
    q = CTAParams.from_params(DEFAULTS)
    spans = q.spans()
    assert list(spans) == [8.0, 16.0, 32.0, 64.0, 128.0]
    assert [(spans[f], spans[s]) for f, s in q.crossovers()] == [(8, 32), (16, 64), (32, 128)]


@pytest.mark.parametrize("fast, slow", [([8.0, 16.0], [32.0, 64.0, 128.0]), ([8.0, 64.0, 32.0], [32.0, 64.0, 128.0])])
def test_crossovers_must_pair_a_fast_span_with_a_longer_slow_one(fast, slow):
    p = DEFAULTS.with_overrides({"cta.crossover_fast_spans": fast, "cta.crossover_slow_spans": slow}, "test")
    with pytest.raises(InputError, match="cta.crossover"):
        CTAParams.from_params(p)
