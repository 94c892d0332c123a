"""Shared helpers of the crypto tests: small, fast runs of a scenario with its shocks replaced."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from interlock.config import Params
from interlock.experiments.runner import build_model, simulate
from interlock.experiments.scenarios import load_scenario
from interlock.model.model import CapitalFlowModel
from interlock.model.shocks import SHOCK_TYPES as SHOCKS


SMALL = {"retail_crypto.n_holders": 20000}
# everything but the crypto block and the Fed (the venues read the Fed's liquidity and rate path)
NOT_CRYPTO = ("buyback", "vol_target", "cta", "discretionary", "dealer", "interlock")


def crypto_model(overrides=None, seed=1, shocks=(), disabled=NOT_CRYPTO) -> CapitalFlowModel:
    """A small model of the crypto block alone (400 holders by default), built in ~0.1 s for unit
    tests. The caller releases it (`model.release()`)."""
    p = Params.defaults().with_overrides({"retail_crypto.n_holders": 400, **(overrides or {})}, "test")
    return CapitalFlowModel(p, seed=seed, shocks=shocks, disabled=disabled)


def shock(kind: str, **fields):
    return SHOCKS[kind](**fields)


class Snapshot:
    """What the tests read from a finished model — parameters and the populations' arrays and
    numbers — without keeping the model itself alive (the sweep tests check no model leaks)."""

    def __init__(self, model):
        self.params = model.params
        self._pops = {}
        for pop in model.populations:
            keep = {k: v for k, v in vars(pop).items()
                    if isinstance(v, (np.ndarray, np.generic, int, float, bool, str, dict))}
            if hasattr(pop, "crypto"):
                keep["crypto"] = SimpleNamespace(names=list(pop.crypto.names))
            self._pops[pop.agent_class] = SimpleNamespace(**keep)

    def population(self, name: str):
        return self._pops.get(name)


@functools.lru_cache(maxsize=32)
def _run(scenario: str, shocks: tuple, days: int, seed: int, overrides: tuple):
    sc = load_scenario(scenario)
    if shocks != ("scenario",):
        sc = sc.model_copy(update={"shocks": [shock(k, **dict(f)) for k, f in shocks]})
    model = build_model(sc, seed=seed, overrides={**SMALL, **dict(overrides)})
    try:
        ts, flows, events = simulate(model, days)
    finally:
        model.release()
    return Snapshot(model), ts, flows, events


def run_small(scenario="baseline", shocks=("scenario",), days=60, seed=1, **overrides):
    """(snapshot of the model, timeseries, flows, events) of a 20,000-holder run, memoised. `shocks` is
    ("scenario",) for the scenario's own shocks, or a list of (type, {fields})."""
    if shocks != ("scenario",):
        shocks = tuple((k, tuple(sorted(f.items()))) for k, f in shocks)
    return _run(scenario, shocks, days, seed, tuple(sorted(overrides.items())))


def btc_flows(flows, cls="retail_crypto", first=0, last=10 ** 6, voluntary_only=False):
    f = flows[(flows["agent_class"] == cls) & (flows["asset"] == "BTC")
              & (flows["day"] >= first) & (flows["day"] <= last)]
    if voluntary_only:
        f = f[~f["forced"]]
    return float(f["usd_bn"].sum())


# ----- equivalence of population sizes (issue #16) ------------------------------------------------
# The retail population's rows are cohorts: each stands for people / n_holders holders. A smaller
# default is acceptable only if the crypto outputs are *equivalent* to those of the reference
# population (MODEL.md §3.5: 100,000 rows) — a two one-sided tests (TOST) procedure on the paired
# per-seed differences (same seed: every other component draws the same random numbers). The
# bounds below were written down before any comparison was run and are not to be widened to fit.
# Every metric must pass (an intersection–union test, so no multiplicity correction), α = 0.05.
REFERENCE_ROWS = 100_000
REFERENCE = {"retail_crypto.n_holders": REFERENCE_ROWS, "retail_crypto.row_sampling": "people",
             "retail_crypto.leveraged_row_share": 0.1}       # = leveraged_share: equal people per row
ALPHA = 0.05
# Added after the first comparison showed the 100,000-row reference is itself not converged (with
# equal-people rows the rich tail leaves it the sampling noise of ≈ 10,500 equal rows, and smaller
# wealth-weighted populations came out *less* volatile than it): a candidate for the default is
# judged against a converged population of the same sampling — 200,000 wealth-weighted rows — with
# the same margins, over CONVERGENCE_SEEDS seeds (enough that an unbiased candidate passes the BTC
# volatility margin with high probability). Candidates are tried from the smallest (10,000, 20,000,
# 40,000 rows); the smallest that passes both scenarios may become the default. Written down before
# any candidate was compared with this reference.
CONVERGED = {"retail_crypto.n_holders": 200_000, "retail_crypto.row_sampling": "wealth",
             "retail_crypto.leveraged_row_share": 0.1}
CONVERGENCE_SEEDS = 100
# The default population (interlock/data/params/crypto.toml): the smallest candidate that
# bench_population.py found equivalent to CONVERGED in both scenarios (RESULTS.md, 2026-12-02).
SHOWN_EQUIVALENT = {"retail_crypto.n_holders": 40_000, "retail_crypto.row_sampling": "wealth",
                    "retail_crypto.leveraged_row_share": 0.1}


@dataclass(frozen=True)
class Bound:
    """An equivalence margin: |mean paired difference| < `abs_` + `rel` × |reference mean|."""

    metric: str
    abs_: float = 0.0
    rel: float = 0.0
    why: str = ""

    def margin(self, ref_mean: float) -> float:
        return self.abs_ + self.rel * abs(ref_mean)


# (scenario, days) → the metrics compared and their margins
EQUIVALENCE_BOUNDS: dict[tuple[str, int], tuple[Bound, ...]] = {
    ("baseline", 252): (
        Bound("crypto_liquidations.liquidated_bn", rel=0.10, why="the year's liquidated notional within 10%"),
        Bound("crypto_liquidations.peak_day_bn", rel=0.15, why="the largest liquidation day within 15%"),
        Bound("BTC.max_drawdown", abs_=0.02, why="BTC's max drawdown within 2 points"),
        Bound("BTC.vol", abs_=0.02, why="BTC's annualised realised vol within 2 vol points"),
        Bound("crypto_etf.net_flow_bn", abs_=2.4, why="ETF net flows within 2% of the $120bn ETF book"),
        Bound("retail_btc_net_flow_bn", abs_=3.0, why="retail net BTC flow within 1% of the $300bn spot book"),
    ),
    ("crypto_trust_crisis", 126): (
        Bound("crypto_liquidations.liquidated_bn", rel=0.10, why="the cascade's liquidated notional within 10%"),
        Bound("crypto_liquidations.peak_day_bn", rel=0.10, why="the cascade day within 10%"),
        Bound("BTC.max_drawdown", abs_=0.02, why="BTC's max drawdown within 2 points"),
        Bound("crypto_trust_min", abs_=0.01, why="the lowest market trust within 0.01"),
        Bound("crypto_etf.net_flow_bn", abs_=2.4, why="ETF net flows within 2% of the $120bn ETF book"),
        Bound("retail_btc_net_flow_bn", abs_=3.0, why="retail net BTC flow within 1% of the $300bn spot book"),
    ),
}


def crypto_outputs(scenario: str, days: int, seed: int, overrides: dict) -> dict[str, float]:
    """The compared outputs of one run with the retail population `overrides` (REFERENCE or a candidate)."""
    from interlock.experiments.metrics import flat_metrics
    from interlock.experiments.runner import run

    res = run(scenario, days=days, seed=seed, overrides=dict(overrides), amplification=False)
    flat = flat_metrics(res.summary["metrics"])
    r = np.diff(np.log(res.timeseries["BTC"].to_numpy()))
    flat["BTC.vol"] = float(r.std(ddof=1) * np.sqrt(res.params["run.trading_days_per_year"]))
    return flat


def tost_paired(diffs, margin: float, alpha: float = ALPHA) -> tuple[bool, float, tuple[float, float]]:
    """Two one-sided paired t-tests of H0: |mean difference| ≥ margin. Returns (equivalent at
    `alpha`, the larger one-sided p-value, the (1 − 2α) confidence interval of the mean difference,
    which lies inside ±margin exactly when the test passes)."""
    from scipy import stats  # lazy: only the equivalence test and its benchmark need scipy.stats

    d = np.asarray(diffs, dtype=float)
    n = d.size
    mean, se = float(d.mean()), float(d.std(ddof=1) / np.sqrt(n))
    if se == 0.0:
        return abs(mean) < margin, 0.0 if abs(mean) < margin else 1.0, (mean, mean)
    p_low = 1.0 - stats.t.cdf((mean + margin) / se, n - 1)      # H0: mean ≤ −margin
    p_high = stats.t.cdf((mean - margin) / se, n - 1)           # H0: mean ≥ +margin
    half = stats.t.ppf(1.0 - alpha, n - 1) * se
    p = float(max(p_low, p_high))
    return p < alpha, p, (mean - half, mean + half)
