"""One name per metric: a run summary's nested metrics are named the same way in a sweep's
summary.parquet, in a narrative's claims and on the command line (`experiments.metrics`)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interlock.config import Params
from interlock.experiments.metrics import drawdown_stats, flat_metrics, numeric_metrics
from interlock.experiments.stress.claims import RunView, Schema, compile_claim
from interlock.experiments.sweeps.jobs import summary_metrics

SUMMARY_METRICS = {
    "assets": {"SPX": {"max_drawdown": 0.12, "recovery_days": None},
               "NVDA": {"max_drawdown": 0.30, "recovery_days": 40}},
    "peak_VOL_1M": 0.35,
    "amplification": {"SPX": 2.5, "BTC": None},
    "net_flow_by_class_bn": {"cta": -12.0},
    "interlock": {"circularity": {"NVDA": 0.08}, "note": "text is kept but is not a number"},
    "crypto_liquidations": {"liquidated_bn": 19.0, "flagged": True},
}


def test_per_asset_metrics_lose_the_assets_level_and_the_rest_keep_their_path():
    names = flat_metrics(SUMMARY_METRICS)
    assert names["SPX.max_drawdown"] == 0.12 and names["NVDA.recovery_days"] == 40
    assert names["peak_VOL_1M"] == 0.35 and names["amplification.SPX"] == 2.5
    assert names["net_flow_by_class_bn.cta"] == -12.0 and names["interlock.circularity.NVDA"] == 0.08
    assert not [k for k in names if k.startswith("assets.")]


def test_a_claim_can_compare_exactly_the_numeric_metrics_a_sweep_writes_as_columns():
    result = SimpleNamespace(summary={"metrics": SUMMARY_METRICS})
    columns = summary_metrics(result)                   # the sweep's default per-run row
    numeric = numeric_metrics(SUMMARY_METRICS)          # what a claim can name
    assert set(numeric) == {k for k, v in columns.items() if v is None or (
        isinstance(v, (int, float)) and not isinstance(v, bool))}
    assert math.isnan(numeric["SPX.recovery_days"])     # None is undefined, not zero
    assert "interlock.note" in columns and "interlock.note" not in numeric
    assert "crypto_liquidations.flagged" not in numeric  # a flag is not a quantity


def _view(metrics: dict, trading_days: float | None = None) -> RunView:
    days = np.arange(11)
    ts = pd.DataFrame({"day": days, "SPX": 6000.0 * np.exp(0.01 * np.sin(days))})
    flows = pd.DataFrame(columns=["day", "round", "agent_class", "agent_id", "asset", "usd_bn", "forced", "reason"])
    events = pd.DataFrame(columns=["day", "kind", "source", "target", "channel", "usd_bn", "detail"])
    return RunView(ts, flows, events, metrics, trading_days=trading_days)


def _schema(view: RunView) -> Schema:
    return Schema(columns=["SPX"], assets=["SPX"], classes=["cta"], flow_assets=["SPX"],
                  metrics=sorted(view.metrics), days=10)


def test_a_claim_reads_a_summary_metric_by_its_one_name():
    view = _view(SUMMARY_METRICS)
    schema = _schema(view)
    assert compile_claim("NVDA.max_drawdown > 2 * SPX.max_drawdown", schema).evaluate(view) is True
    assert compile_claim("amplification.SPX > 2 and crypto_liquidations.liquidated_bn > 10",
                         schema).evaluate(view) is True
    assert compile_claim("amplification.BTC > 0", schema).evaluate(view) is None   # undefined


def test_vol_in_a_claim_annualises_with_the_runs_trading_days():
    slow, fast = _view({}, trading_days=100), _view({}, trading_days=400)
    claim = compile_claim("vol(SPX) > 0", _schema(slow))
    (v_slow, _), = claim.terms(slow)
    (v_fast, _), = claim.terms(fast)
    assert v_fast == pytest.approx(2.0 * v_slow)
    (v_default, _), = claim.terms(_view({}))
    assert v_default == pytest.approx(v_slow * math.sqrt(Params.defaults()["run.trading_days_per_year"] / 100))


def test_a_fall_and_a_full_recovery_give_their_days():
    p = np.array([100, 110, 99, 88, 95, 111, 112], dtype=float)
    st_ = drawdown_stats(p)
    assert st_["max_drawdown"] == pytest.approx(0.2) and st_["peak_day"] == 1 and st_["trough_day"] == 3
    assert st_["days_to_trough"] == 2 and st_["recovery_days"] == 2
    assert drawdown_stats(np.array([100.0, 90.0, 80.0]))["recovery_days"] is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.5, max_value=2.0), min_size=2, max_size=40))
def test_max_drawdown_is_the_largest_fall_from_any_earlier_price(moves):
    p = 100.0 * np.cumprod(moves)
    brute = max(1.0 - p[j] / p[i] for i in range(len(p)) for j in range(i, len(p)))
    st_ = drawdown_stats(p)
    assert st_["max_drawdown"] == pytest.approx(brute, abs=1e-12)
    assert st_["peak_day"] <= st_["trough_day"]
