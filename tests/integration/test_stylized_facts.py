"""Stylized facts (Cont 2001) emerge from i.i.d. Gaussian noise on a long baseline run, several
seeds, compared with the S&P 500 daily series shipped in `arch.data.sp500` (1999–2018).

The runs are the session's (`long_runs` in conftest.py): the same 5,000-day baselines the
validation report and the loop-sign tests read, made once."""

from __future__ import annotations

import numpy as np
import pytest

from interlock.experiments.validation import checks as V
from long_runs import EXOGENOUS_DAYS, FACTS_DAYS, FACTS_SEEDS

_facts = V.stylized_facts          # the measurements `interlock validate` reports


@pytest.fixture(scope="module")
def simulated(long_runs):
    with long_runs.installed():
        return [_facts(r) for r in V.simulated_returns("SPX", days=FACTS_DAYS, seeds=FACTS_SEEDS)]


@pytest.fixture(scope="module")
def exogenous(long_runs):
    """Every trading class off: only the exogenous noise is left."""
    with long_runs.installed():
        return _facts(V.simulated_returns("SPX", days=EXOGENOUS_DAYS, seeds=(1,),
                                          disabled=V.endogenous_classes())[0])


@pytest.fixture(scope="module")
def reference():
    return _facts(V.sp500_returns())


def _table(simulated, reference):
    keys = ["annual_vol", "excess_kurtosis", "ac1", "abs_ac1", "abs_ac50", "leverage_corr"]
    lines = [f"{'':<16}" + "".join(f"{k:>16}" for k in keys),
             f"{'S&P 500 99-18':<16}" + "".join(f"{reference[k]:>16.3f}" for k in keys)]
    for s, f in zip(FACTS_SEEDS, simulated):
        lines.append(f"{'model seed ' + str(s):<16}" + "".join(f"{f[k]:>16.3f}" for k in keys))
    return "\n".join(lines)


def test_heavy_tails_emerge_from_iid_noise(simulated, exogenous, reference):
    print("\n" + _table(simulated, reference))
    assert all(f["excess_kurtosis"] > 3.0 for f in simulated)
    assert abs(exogenous["excess_kurtosis"]) < 0.5           # the noise alone has none
    assert reference["excess_kurtosis"] > 3.0                # nor is the bar above what the S&P shows


def test_volatility_clusters_abs_return_autocorrelation_positive_at_lag_50(simulated, exogenous):
    assert all(f["abs_ac50"] > 0.0 for f in simulated)
    assert np.mean([f["abs_ac50"] for f in simulated]) > 0.03
    assert abs(exogenous["abs_ac50"]) < 0.05


def test_daily_returns_are_nearly_uncorrelated(simulated):
    assert all(abs(f["ac1"]) < 0.1 for f in simulated)


def test_simulated_vol_is_in_the_range_of_the_sp500(simulated, reference):
    vols = [f["annual_vol"] for f in simulated]
    assert all(0.5 * reference["annual_vol"] < v < 1.6 * reference["annual_vol"] for v in vols)


def test_the_exogenous_noise_is_iid_gaussian(exogenous):
    """The noise fed to the market is i.i.d. Gaussian: with every agent class off the returns
    show no fat tails, no skew and no volatility clustering (the agents produce them)."""
    print("exogenous only:", {k: round(v, 3) for k, v in exogenous.items()})
    assert abs(exogenous["excess_kurtosis"]) < 0.5
    assert abs(exogenous["skew"]) < 0.2
    assert abs(exogenous["abs_ac1"]) < 0.05 and abs(exogenous["abs_ac50"]) < 0.05
    assert abs(exogenous["ac1"]) < 0.05
