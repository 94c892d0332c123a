"""`interlock calibrate`: the method of simulated moments recovers known parameters of the model
from its own simulated moments (a twin experiment), and writes an overrides file that
`interlock run --config` accepts."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import numpy as np
import pytest
from scipy.stats import chi2

from interlock.experiments.validation import calibration as C

TWIN_MOMENTS = ("annual_vol", "excess_kurtosis", "abs_ac1", "abs_ac10")
TWIN_TRUE = {"news.market_sigma_annual": 0.20, "news.market_rel_cap": 1.6}
TWIN_BOUNDS = {"news.market_sigma_annual": (0.15, 0.26), "news.market_rel_cap": (1.2, 3.0)}
TWIN_START = {"news.market_sigma_annual": 0.23, "news.market_rel_cap": 2.5}


def cli(*args):
    return subprocess.run([sys.executable, "-m", "interlock.cli", *args], capture_output=True, text=True)


def _equity_only() -> dict:
    """The crypto and interlock blocks switched off: they cost most of a run's time and barely move
    the S&P's statistics, which is all the twin fits."""
    from interlock.config import param_specs
    return {f"{c}.enabled": False for c in ("retail_crypto", "crypto_etf", "interlock")
            if f"{c}.enabled" in param_specs()}


@pytest.mark.xfail(strict=True, reason="docs/validation.md (interlock calibrate): with the model's own sampling "
                   "variances as weights the fit misses: re-measured 2026-12-03 (news components of that day) σ "
                   "0.15 (its bound) vs 0.20, news.market_rel_cap 1.32 vs 1.6, J 46.8 → 11.8 > χ²(2) 5.99 (before: σ "
                   "0.187, rel_cap at its bound 1.2, J 14.4): the variances come from 2 seeds (1 d.o.f.) and |r|'s "
                   "lag-10 autocorrelation's came out ≈ 1e-8 — it dominates J")
def test_msm_recovers_known_parameters_from_the_models_own_moments():
    """Twin experiment: moments simulated at known parameters with one set of seeds; the fit starts
    elsewhere and uses other seeds (so it must recover the parameters, not the random numbers).

    The twin's data are two seeds of the model, so their sampling variance is the model's own (the
    spread over the truth's seeds / 2), not the S&P's bootstrap one; the fit adds its own seeds'
    (`sim_noise`). With those weights J at the fit is Hansen's over-identification statistic: below
    the χ²(K − P) 95% point when the method works. (With the S&P's standard errors as weights the
    twin missed — |r|'s lag-1 autocorrelation differs by seed by ≈ 2 of them and pulled σ to its
    bound; docs/validation.md.)"""
    days = 1500
    # the twin's model: equity blocks only, and a news process with short memory (3–20 days) so that
    # two seeds × 1,500 days pin its moments down (with the calibrated 200-day memory the sampling
    # spread of a 3,000-day sample's vol is ±10%: that is a test of the seeds, not of the method)
    base = {**_equity_only(), "news.market_timescales_days": [3.0, 10.0, 20.0]}
    sim = C.SimulatedMoments(seeds=(101, 102), days=days, base_overrides=base)
    truth = sim(TWIN_TRUE)
    se = {k: float(np.sqrt(v)) for k, v in sim.mean_variance().items()}
    target = C.Target("twin", {k: truth[k] for k in TWIN_MOMENTS}, se, 2 * days)
    res = C.calibrate(list(TWIN_TRUE), target=target, moments=TWIN_MOMENTS, bounds=TWIN_BOUNDS,
                      start=TWIN_START, seeds=(1, 2), days=days, max_evals=30, simplex_step=0.25,
                      base_overrides=base)
    print({k: (TWIN_TRUE[k], round(res.fitted[k], 4)) for k in TWIN_TRUE},
          f"J {res.objective_start:.2f} → {res.objective_fitted:.3f} in {res.evaluations} evaluations")
    assert res.dof == 2 and set(res.moments_sim_var) == set(TWIN_MOMENTS)
    assert res.objective_fitted < min(res.objective_start, chi2.ppf(0.95, res.dof))
    assert abs(res.fitted["news.market_sigma_annual"] / TWIN_TRUE["news.market_sigma_annual"] - 1) < 0.1
    assert abs(res.fitted["news.market_rel_cap"] - TWIN_TRUE["news.market_rel_cap"]) < 0.4


def test_the_weights_add_the_simulated_means_own_variance():
    t = C.Target("t", {"annual_vol": 0.2}, {"annual_vol": 0.02}, 100)
    assert np.isclose(C.objective_value({"annual_vol": 0.22}, t, ["annual_vol"]), 1.0)
    assert np.isclose(C.objective_value({"annual_vol": 0.22}, t, ["annual_vol"], {"annual_vol": 0.0004 * 3}), 0.25)


def test_calibrate_writes_fitted_values_and_an_overrides_file_that_run_accepts(tmp_path):
    out = tmp_path / "cal"
    base = tmp_path / "base.toml"            # --config: a starting point / fixed overrides for the fit
    base.write_text("[overrides]\n" + "".join(f'"{k}" = false\n' for k in _equity_only()))
    res = cli("calibrate", "--target", "sp500", "--params", "news.market_sigma_annual", "--days", "400",
              "--seeds", "1", "--max-evals", "4", "--config", str(base), "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "objective" in res.stdout and "→" in res.stdout
    fit = json.loads((out / "calibration.json").read_text())
    assert fit["params"] == ["news.market_sigma_annual"] and fit["evaluations"] >= 2
    assert fit["objective_fitted"] <= fit["objective_start"]
    assert set(fit["moments_target"]) == set(C.MOMENTS)
    over = tomllib.loads((out / "overrides.toml").read_text())["overrides"]
    fitted = over["news.market_sigma_annual"]
    assert np.isclose(fitted, fit["fitted"]["news.market_sigma_annual"], rtol=1e-5)
    run_dir = tmp_path / "run"
    res = cli("run", "baseline", "--days", "5", "--config", str(out / "overrides.toml"), "--out", str(run_dir),
              "--quiet", "--no-figures")
    assert res.returncode == 0, res.stderr
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["config"]["news.market_sigma_annual"] == fitted


def test_calibrate_rejects_unknown_targets_and_parameters_with_exit_2(tmp_path):
    res = cli("calibrate", "--target", "nikkei", "--out", str(tmp_path / "a"))
    assert res.returncode == 2 and "sp500" in res.stderr
    res = cli("calibrate", "--params", "vol_target.aumm", "--out", str(tmp_path / "b"))
    assert res.returncode == 2 and "vol_target.aum" in res.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_the_objective_is_zero_at_the_target_and_grows_with_the_distance():
    t = C.Target("t", {"annual_vol": 0.2, "ac1": 0.0}, {"annual_vol": 0.02, "ac1": 0.01}, 100)
    names = ["annual_vol", "ac1"]
    assert C.objective_value({"annual_vol": 0.2, "ac1": 0.0}, t, names) == 0.0
    assert np.isclose(C.objective_value({"annual_vol": 0.22, "ac1": 0.0}, t, names), 1.0)
    assert np.isclose(C.objective_value({"annual_vol": 0.22, "ac1": -0.02}, t, names), 5.0)
    assert C.objective_value({"annual_vol": float("nan"), "ac1": 0.0}, t, names) == C.PENALTY
