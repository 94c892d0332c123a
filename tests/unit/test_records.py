"""The recorders: time-series rows are named, so a component that hands in a missing, extra or
reordered column is refused instead of shifting every column after it; the flow and event tables
keep every row with its class, asset and reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from interlock.model.records import EventLog, FlowLog, SeriesRecorder


def _recorder(capacity: int = 512) -> SeriesRecorder:
    return SeriesRecorder({"market": ["SPX", "VOL_1M"], "cta": ["cta_nav"]}, capacity=capacity)


def test_a_day_with_exactly_the_declared_columns_is_one_row():
    rec = _recorder()
    rec.append({"market": {"SPX": 6600.0, "VOL_1M": 0.15}, "cta": {"cta_nav": 350.0}})
    df = rec.frame()
    assert list(df.columns) == ["day", "SPX", "VOL_1M", "cta_nav"]
    assert df.iloc[0].tolist() == [0, 6600.0, 0.15, 350.0]


@pytest.mark.parametrize("row, says", [
    ({"SPX": 1.0}, r"missing \['VOL_1M'\]"),
    ({"SPX": 1.0, "VOL_1M": 2.0, "VOL_3M": 3.0}, r"undeclared \['VOL_3M'\]"),
    ({"VOL_1M": 2.0, "SPX": 1.0}, "another order"),
])
def test_a_missing_extra_or_reordered_column_is_refused(row, says):
    rec = _recorder()
    with pytest.raises(ValueError, match=says):
        rec.append({"market": row, "cta": {"cta_nav": 1.0}})
    assert rec.n == 0                                          # nothing half-written


def test_two_components_cannot_declare_the_same_column():
    with pytest.raises(ValueError, match="duplicate"):
        SeriesRecorder({"a": ["x", "y"], "b": ["y"]})


def test_the_buffer_grows_past_its_capacity():
    rec = _recorder(capacity=2)
    for day in range(5):
        rec.append({"market": {"SPX": float(day), "VOL_1M": 0.0}, "cta": {"cta_nav": 0.0}})
    assert rec.frame()["SPX"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert rec.frame()["day"].tolist() == [0, 1, 2, 3, 4]


def test_the_flow_table_keeps_every_nonzero_order_with_its_class_asset_and_reason():
    log = FlowLog(["NVDA", "SPX"], ["vol_target", "cta"])
    orders = np.array([[0.0, -2.0], [1.5, 0.0]])
    log.add(3, 1, 1, np.array([10, 11]), orders, True, log.reason_code("stop_out"))
    log.add(3, 0, 0, np.array([5]), np.zeros((1, 2)), False, 0)          # nothing traded: no rows
    df = log.frame()
    assert df[["day", "round", "agent_class", "agent_id", "asset", "usd_bn", "forced", "reason"]].values.tolist() == [
        [3, 1, "cta", 10, "SPX", -2.0, True, "stop_out"],
        [3, 1, "cta", 11, "NVDA", 1.5, True, "stop_out"],
    ]
    assert log.reason_code("stop_out") == log.reason_code("stop_out") == 1


def test_the_flow_tables_label_columns_equal_the_categorical_conversion_they_replace():
    # issue #16: labels are taken by code from the names converted once; the reference is what the
    # table did before, pd.Categorical.from_codes(...).astype(str), values and dtype alike
    rng = np.random.default_rng(5)
    instruments, classes = ["NVDA", "BTC", "SPX"], ["vol_target", "cta", "dealer", "retail_crypto"]
    log = FlowLog(instruments, classes)
    for day in range(40):
        orders = rng.normal(size=(3, 3)) * (rng.random((3, 3)) < 0.5)
        log.add(day, day % 3, int(rng.integers(4)), np.arange(3) + 7, orders, day % 2 == 1,
                log.reason_code(["voluntary", "stop_out", "liquidation"][day % 3]))
    df = log.frame()
    rows = [(c[2], c[4], c[7], c[3].size) for c in log.chunks]
    ref = {"agent_class": np.repeat([r[0] for r in rows], [r[3] for r in rows]),
           "asset": np.concatenate([r[1] for r in rows]),
           "reason": np.repeat([r[2] for r in rows], [r[3] for r in rows])}
    for col, names in (("agent_class", classes), ("asset", instruments), ("reason", log.reasons)):
        want = pd.Series(pd.Categorical.from_codes(ref[col], categories=names), name=col).astype(str)
        pd.testing.assert_series_equal(df[col], want, check_exact=True)
    assert set(df["reason"]) == {"voluntary", "stop_out", "liquidation"}


def test_an_empty_flow_table_has_the_columns_and_types_of_a_full_one():
    empty = FlowLog(["NVDA"], ["cta"]).frame()
    assert list(empty.columns) == ["day", "round", "agent_class", "agent_id", "asset", "usd_bn", "forced", "reason"]
    assert empty["usd_bn"].dtype == np.float64 and len(empty) == 0


def test_the_event_table_keeps_each_event_in_order():
    log = EventLog()
    log.add(1, "shock", "scenario", "vol_spike", "shock", float("nan"), "noise_multiplier=3.0")
    log.add(2, "trigger", "cta", "market", "stop_out", -4.0, "round 1")
    df = log.frame()
    assert list(df.columns) == EventLog.COLUMNS
    assert df["kind"].tolist() == ["shock", "trigger"] and df["usd_bn"].iloc[1] == -4.0
    assert pd.isna(df["usd_bn"].iloc[0])
