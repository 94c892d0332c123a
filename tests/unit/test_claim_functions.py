"""The claim language's function table (`claims.FUNCTIONS`) is an explicit list: each entry is
keyed by its own name, documented, and callable from a claim with the argument types it declares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from interlock.experiments.stress.claims import (BSERIES, FUNCTIONS, NUM, SERIES, TABLE, RunView, Schema,
                                                 compile_claim, function_reference)

ARG = {SERIES: "SPX", BSERIES: "SPX > 6000", TABLE: "flows", NUM: "1"}


def _run():
    d = np.arange(21)
    ts = pd.DataFrame({"day": d, "SPX": 6000.0 + 10.0 * np.sin(d)})
    flows = pd.DataFrame({"day": [3, 5], "round": [0, 1], "agent_class": ["cta", "cta"], "agent_id": [1, 1],
                          "asset": ["SPX", "SPX"], "usd_bn": [-2.0, 1.0], "forced": [False, True],
                          "reason": ["voluntary", "stop_out"]})
    events = pd.DataFrame(columns=["day", "kind", "source", "target", "channel", "usd_bn", "detail"])
    schema = Schema(columns=["SPX"], assets=["SPX"], classes=["cta"], flow_assets=["SPX"], metrics=[], days=20)
    return RunView(ts, flows, events, {}, trading_days=252), schema


def test_the_table_is_keyed_by_each_functions_name_and_every_function_is_documented():
    assert all(name == f.name and f.doc for name, f in FUNCTIONS.items())
    listed = [line.split("(")[0] for line in function_reference().splitlines()]
    assert listed == sorted(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_is_callable_from_a_claim_with_its_declared_argument_types(name):
    f = FUNCTIONS[name]
    view, schema = _run()
    call = f"{name}({', '.join(ARG[a] for a in f.args)})"
    if f.result in (SERIES, "same"):
        call = f"sum({call})"                    # reduce a daily series to a number
    claim = compile_claim(f"{call} > 0 or {call} <= 0", schema)
    assert claim.evaluate(view) in (True, None)  # a number (or undefined), never an error
