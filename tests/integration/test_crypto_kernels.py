"""The retail crypto pass's fused numba kernels (agents/_kernels.py, issue #16) give bit-identical
runs to the numpy code they replace: same seed ⇒ the same time series, flows, events, summary and
final rows with the kernels on and off (the switch: `jit.MODE`, read when the population is built;
INTERLOCK_NUMBA=1 / 0 set it). Full 756-day runs of the calm baseline and of the trust crisis
(trust losses, a frozen venue, liquidation rounds), and one with trust^τ, τ ≠ 1 (the pow branch)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from interlock.agents import jit
from interlock.experiments.runner import build_model, simulate
from interlock.io import dumps_json
from interlock.model.hooks import summary_metrics



def one_run(monkeypatch, fused: bool, scenario: str, seed: int, days: int, overrides=None):
    monkeypatch.setattr(jit, "MODE", "1" if fused else "0")
    model = build_model(scenario, seed=seed, overrides=overrides or {})
    try:
        pop = model.population("retail_crypto")
        assert pop._fast is fused                      # the arm really runs the path it names
        ts, flows, events = simulate(model, days)
        summary = dumps_json(summary_metrics(model, ts, flows, events))
        rows = {k: getattr(pop, k).copy() for k in ("holder_cash", "_hold", "debt", "liq_price", "trust",
                                                   "flat_since", "pool_shares", "units", "cash")}
    finally:
        model.release()
    return ts, flows, events, summary, rows


@pytest.mark.parametrize("scenario, seed, days, overrides", [
    ("baseline", 1, 756, None),
    ("crypto_trust_crisis", 1, 756, None),
    ("crypto_trust_crisis", 3, 756, None),
    ("crypto_trust_crisis", 2, 300, {"retail_crypto.trust_exponent": 2.5}),
])
def test_fused_kernels_give_bit_identical_runs_to_the_numpy_path(monkeypatch, scenario, seed, days, overrides):
    ts_n, fl_n, ev_n, sm_n, rows_n = one_run(monkeypatch, False, scenario, seed, days, overrides)
    ts_f, fl_f, ev_f, sm_f, rows_f = one_run(monkeypatch, True, scenario, seed, days, overrides)
    pd.testing.assert_frame_equal(ts_f, ts_n, check_exact=True)
    pd.testing.assert_frame_equal(fl_f, fl_n, check_exact=True)
    pd.testing.assert_frame_equal(ev_f, ev_n, check_exact=True)
    assert sm_f == sm_n
    for k, a in rows_n.items():                              # equal values and equal signs of zero
        assert np.array_equal(rows_f[k], a), k
        if a.dtype.kind == "f":
            assert np.array_equal(np.signbit(rows_f[k]), np.signbit(a)), k
    if scenario == "crypto_trust_crisis" and days == 756:   # the branches the comparison is meant to cover
        assert ts_n["liquidations_bn"].gt(0).any() and ts_n["crypto_trust"].lt(1).any()


def test_auto_mode_switches_to_the_kernels_once_the_process_has_run_enough_days(monkeypatch):
    monkeypatch.setattr(jit, "MODE", "auto")
    monkeypatch.setattr(jit, "days_simulated", 0)
    model = build_model("baseline", seed=1)
    try:
        assert model.population("retail_crypto")._fast is False       # a fresh process: numpy
        simulate(model, 5)
    finally:
        model.release()
    assert jit.days_simulated == 5                                      # the model counts its days
    model = build_model("baseline", seed=1, disabled=("retail_crypto", "crypto_etf"))
    try:
        simulate(model, 3)                                              # a run without the crypto population
    finally:                                                            # counts too (it once did not: the
        model.release()                                                 # population kept the clock)
    assert jit.days_simulated == 8
    monkeypatch.setattr(jit, "days_simulated", jit.AUTO_AFTER_DAYS)
    model = build_model("baseline", seed=1)
    try:
        assert model.population("retail_crypto")._fast is True
    finally:
        model.release()
    monkeypatch.setattr(jit, "MODE", "0")
    assert jit.use_kernels() is False


def test_a_bad_interlock_numba_value_is_one_line_and_exit_2_with_nothing_written(tmp_path):
    import os
    import subprocess
    import sys
    out = tmp_path / "run"
    res = subprocess.run([sys.executable, "-m", "interlock.cli", "run", "baseline", "--days", "2", "--quiet",
                          "--no-figures", "--out", str(out)], capture_output=True, text=True,
                         env={**os.environ, "INTERLOCK_NUMBA": "yes"})
    assert res.returncode == 2 and not out.exists()
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "INTERLOCK_NUMBA" in lines[0] and "auto" in lines[0]


def test_numba_is_installed_as_the_package_declares():
    """numba is a dependency (pyproject.toml): the kernels' tests run, they are never skipped."""
    assert jit.AVAILABLE
