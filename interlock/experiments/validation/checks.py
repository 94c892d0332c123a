"""Measurements that put the model beside the real world and beside its own claims (MODEL.md §6).

Every number of the validation report (`interlock validate`) and of the calibration helper
(`interlock calibrate`) is measured here, and the engine tests call the same functions, so a
stylized fact, the multiplier or a loop sign means one thing everywhere:

- `stylized_facts` / `acf` / `hill_tail_index` — return statistics (Cont 2001), reference data
  `arch.data.sp500` (S&P 500 daily, 1999–2018);
- `equity_multiplier` — the permanent price response to a steady injected flow (Gabaix & Koijen);
- `LOOPS` / `loop_sign` / `ablation` — each agent class switched off under common random numbers;
- `leverage_cycle` — the bifurcation over vol-target AUM (Aymanns & Farmer 2015);
- `conservation` / `determinism` — the accounting identities and bit-identical reruns.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd
from arch.data import sp500

from ...config import Params
from ...model import hooks
from ...model.market import EQUITY, build_assets, build_news_process
from ...model.model import agent_classes, trading_classes
from ..metrics import drawdown_stats
from ..runner import RunResult, build_model, run, simulate
from ..scenarios import load_scenario

ACF_LAGS = 100
HILL_TAIL_SHARE = 0.05        # Hill estimator on the largest 5% of |r| (≈250 of 5000 days)
LEVERAGE_LAGS = 10            # leverage effect: mean corr(r_t, |r_t+k|) over k = 1..10
SP500_LABEL = "S&P 500 1999–2018 (arch.data.sp500)"


# ----- runs, memoised within one report --------------------------------------------------------
_RUN_CACHE: "dict[tuple, RunResult]" = {}
RUN_CACHE_SIZE = 24


def cached_run(scenario: str, *, days: int | None = None, seed: int = 1, disabled: Iterable[str] = (),
               overrides: dict[str, Any] | None = None, without_shocks: bool = False) -> RunResult:
    """`runner.run` without the amplification rerun, memoised on its arguments, so the sections of a
    report share runs (the baseline runs of the stylized facts are the 'on' runs of the loops)."""
    key = (scenario, days, int(seed), tuple(sorted(disabled)), freeze(overrides), without_shocks)
    hit = _RUN_CACHE.pop(key, None)
    if hit is None:
        sc = load_scenario(scenario)
        if without_shocks:
            sc = sc.model_copy(update={"shocks": []})
        hit = run(sc, days=days, seed=seed, disabled=tuple(disabled), overrides=overrides, amplification=False)
    _RUN_CACHE[key] = hit                      # most recently used last
    while len(_RUN_CACHE) > RUN_CACHE_SIZE:
        _RUN_CACHE.pop(next(iter(_RUN_CACHE)))
    return hit


def freeze(overrides: dict[str, Any] | None) -> tuple:
    """Overrides as a hashable key (list values, e.g. time scales, become tuples)."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (overrides or {}).items()))


def clear_run_cache() -> None:
    _RUN_CACHE.clear()


# ----- return statistics -------------------------------------------------------------------------
def log_returns(prices: Iterable[float]) -> np.ndarray:
    p = np.asarray(prices, dtype=float)
    return np.diff(np.log(p))


def acf(x: np.ndarray, max_lag: int = ACF_LAGS) -> np.ndarray:
    """Sample autocorrelation at lags 1..max_lag (Pearson correlation of the overlapping pairs,
    as `np.corrcoef(x[:-k], x[k:])`)."""
    x = np.asarray(x, dtype=float)
    return np.array([_corr(x[:-k], x[k:]) for k in range(1, max_lag + 1)])


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    sa, sb = a.std(), b.std()
    if sa == 0 or sb == 0:
        return 0.0
    return float(((a - a.mean()) * (b - b.mean())).mean() / (sa * sb))


def hill_tail_index(r: np.ndarray, tail_share: float = HILL_TAIL_SHARE, side: str = "abs") -> float:
    """Hill (1975) estimator of the tail exponent α (P(|r| > x) ~ x^−α) from the k = tail_share·n
    largest observations of |r| ('abs'), of losses −r ('left') or of gains ('right'). Stock
    indices give α ≈ 3 (the 'inverse cubic law'); a Gaussian gives large values (no power tail)."""
    x = np.asarray(r, dtype=float)
    x = x - x.mean()
    x = {"abs": np.abs(x), "left": -x, "right": x}[side]
    x = np.sort(x[x > 0])[::-1]
    k = max(10, int(tail_share * len(r)))
    if len(x) <= k:
        return float("nan")
    return float(k / np.sum(np.log(x[:k] / x[k])))


def leverage_corr(r: np.ndarray, lag: int = 1) -> float:
    """corr(r_t, |r_t+lag|): negative when falls are followed by higher volatility."""
    return _corr(r[:-lag], np.abs(r[lag:]))


# ----- gain/loss asymmetry ('inverse statistics') -------------------------------------------------
GAIN_LOSS_LEVEL = 0.05       # ±5% in log return
GAIN_LOSS_HORIZON = 126      # trading days: passages longer than half a year are left out


def first_passage_times(r: np.ndarray, level: float, demean: bool = True,
                        max_steps: int | None = None) -> np.ndarray:
    """For every start day t, the first τ ≥ 1 at which the cumulative log return from t reaches
    `level` (≥ level for a gain, ≤ level for a loss); −1 when it never does within the sample (or
    within `max_steps`). `demean` removes the sample's mean return first (detrended prices, as in
    Jensen, Johansen & Simonsen 2003)."""
    x = np.asarray(r, dtype=float)
    if demean:
        x = x - x.mean()
    lp = np.concatenate([[0.0], np.cumsum(x)])
    n = len(lp)
    out = np.full(n - 1, -1, dtype=np.int64)
    pending = np.arange(n - 1)
    step = 1
    last = n if max_steps is None else min(n, max_steps + 1)
    while pending.size and step < last:
        idx = pending + step
        ok = idx < n
        d = np.where(ok, lp[np.minimum(idx, n - 1)] - lp[pending], 0.0)
        hit = ok & ((d >= level) if level > 0 else (d <= level))
        out[pending[hit]] = step
        pending = pending[~hit & ok]
        step += 1
    return out


def gain_loss_ratio(r: np.ndarray, level: float = GAIN_LOSS_LEVEL, horizon: int = GAIN_LOSS_HORIZON) -> float:
    """Gain/loss asymmetry (Jensen, Johansen & Simonsen 2003, Physica A 324:338, 'inverse statistics'):
    from every start day, the number of days for the drift-removed cumulative log return to first
    reach +level, over the same for −level — the ratio of the medians of the passages that end within
    `horizon` days. > 1: losses come faster than gains. The definition was fixed on S&P data alone
    before any model number was looked at (issue #12): S&P 500 1999–2018 = 1.59; the literal mean
    without a horizon is dominated by a few long waits (3,000-day S&P windows: 0.5–3.8) and is not
    usable per sample."""
    up = first_passage_times(r, level, True, horizon)
    dn = first_passage_times(r, -level, True, horizon)
    u, d = up[up > 0], dn[dn > 0]
    if len(u) == 0 or len(d) == 0:
        return float("nan")
    return float(np.median(u) / np.median(d))


def stylized_facts(r: np.ndarray, trading_days: float | None = None) -> dict[str, float]:
    """The section-1 statistics of a daily log-return series; `annual_vol` annualises with
    `trading_days` per year (default: the parameter `run.trading_days_per_year`). The same function
    measures the S&P 500 and the model."""
    if trading_days is None:
        trading_days = Params.defaults()["run.trading_days_per_year"]
    r = np.asarray(r, dtype=float)
    x = r - r.mean()
    var = x.var()
    a = np.abs(r)
    return {
        "annual_vol": float(r.std() * math.sqrt(trading_days)),
        "skew": float((x ** 3).mean() / var ** 1.5),
        "excess_kurtosis": float((x ** 4).mean() / var ** 2 - 3.0),
        "hill_abs": hill_tail_index(r, side="abs"),
        "hill_left": hill_tail_index(r, side="left"),
        "ac1": _corr(r[:-1], r[1:]),
        "abs_ac1": _corr(a[:-1], a[1:]),
        "abs_ac10": _corr(a[:-10], a[10:]),
        "abs_ac50": _corr(a[:-50], a[50:]),
        "abs_ac100": _corr(a[:-100], a[100:]),
        "leverage_corr": leverage_corr(r, 1),
        "leverage_corr_10": float(np.mean([leverage_corr(r, k) for k in range(1, LEVERAGE_LAGS + 1)])),
        "gain_loss": gain_loss_ratio(r),
    }


# Issue #12's bands, per seed of 10 × 3,000 baseline days; set from the S&P 500 data before any
# model number was computed (never widened).
BANDS: dict[str, tuple[float, float]] = {
    "annual_vol": (0.15, 0.25),
    "excess_kurtosis": (3.0, math.inf),
    "hill_abs": (2.5, 4.5),
    "ac1": (-0.1, 0.1),
    "abs_ac50": (0.08, 0.25),
    "leverage_corr": (-math.inf, -0.05),
    "skew": (-0.7, 0.0),
    "gain_loss": (1.2, math.inf),
}
FACTS_SEEDS = tuple(range(1, 11))
FACTS_DAYS = 3000
# the facts runs hold the crypto population small: it sets how long a run takes, not the S&P
FACTS_OVERRIDES = {"retail_crypto.n_holders": 10000}


def facts_runs(disabled: Iterable[str] = (), seeds: Iterable[int] = FACTS_SEEDS, days: int = FACTS_DAYS) -> list[RunResult]:
    """The baseline runs the stylized facts, flow sizes and implied-vol checks read (memoised)."""
    return [cached_run("baseline", days=days, seed=s, overrides=FACTS_OVERRIDES, disabled=tuple(disabled))
            for s in seeds]


def per_seed_facts(disabled: Iterable[str] = (), seeds: Iterable[int] = FACTS_SEEDS,
                   days: int = FACTS_DAYS) -> list[dict[str, float]]:
    return [stylized_facts(log_returns(r.timeseries["SPX"].to_numpy())) for r in facts_runs(disabled, seeds, days)]


def outside_bands(f: dict[str, float]) -> dict[str, tuple[float, float, float]]:
    """The statistics of `f` outside their band: name → (value, lo, hi)."""
    return {k: (f[k], lo, hi) for k, (lo, hi) in BANDS.items() if not (lo <= f[k] <= hi)}


# The one-year horizon (a 252-day window every 21 days): the dispersion of a year's log return and
# what a calm year (the window's realised vol below 12%) earns. Bands set from the S&P 500 1999–2018
# (`arch.data.sp500`, this function: s.d. 0.173, calm windows +0.122 over 75 windows) before any model
# number: the s.d. within ±0.05 (its sampling s.e. over ≈ 19 independent years is ≈ 0.03), the calm
# mean within ±0.09 (≈ 6 independent calm years). Pooled over the seeds' windows.
YEAR_WINDOW, YEAR_STEP, CALM_VOL = 252, 21, 0.12
YEAR_BANDS: dict[str, tuple[float, float]] = {"year_sd": (0.12, 0.23), "calm_year_mean": (0.03, 0.21)}


def year_windows(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log return and annualised realised vol of every 252-day window starting every 21 days."""
    cs = np.concatenate([[0.0], np.cumsum(r)])
    starts = np.arange(0, len(r) - YEAR_WINDOW + 1, YEAR_STEP)
    ret = cs[starts + YEAR_WINDOW] - cs[starts]
    vol = np.array([r[s:s + YEAR_WINDOW].std() for s in starts]) * math.sqrt(YEAR_WINDOW)
    return ret, vol


def year_facts(returns: Iterable[np.ndarray]) -> dict[str, float]:
    """`YEAR_BANDS`' statistics over the pooled windows of one or more return series."""
    pairs = [year_windows(np.asarray(r)) for r in returns]
    ret = np.concatenate([p[0] for p in pairs])
    vol = np.concatenate([p[1] for p in pairs])
    calm = vol < CALM_VOL
    return {"year_sd": float(ret.std()), "calm_year_mean": float(ret[calm].mean()) if calm.any() else math.nan,
            "calm_windows": int(calm.sum()), "windows": int(ret.size),
            "year_vol_corr": float(np.corrcoef(ret, vol)[0, 1])}


def left_tail(r: np.ndarray) -> dict[str, float]:
    """What the agents should deepen: the worst day, the 1% quantile, days below −5%, the worst
    21-day log return; and the max drawdown (over a 3,000-day run mostly the news' multi-year falls)."""
    lp = np.concatenate([[0.0], np.cumsum(r)])
    dd = 1.0 - np.exp(lp - np.maximum.accumulate(lp))
    month = lp[21:] - lp[:-21] if len(lp) > 21 else np.array([lp[-1]])
    return {"worst_day": float(r.min()), "q01": float(np.quantile(r, 0.01)),
            "days_below_5pct": float((r < math.log(0.95)).sum()), "worst_month": float(month.min()),
            "max_drawdown": float(dd.max())}



# ----- extreme days and volatility regimes (measured after the per-seed bands; docs/validation.md,
# "Extreme days and volatility regimes") -----------------------------------------------------------
REGIME_WINDOW = 21            # days of the realised vol whose distribution is compared
REGIME_HIGH_VOL = 0.30        # annualised: a "high-volatility" day's 21-day realised vol
REGIME_PER = 3000             # counts are per 3,000 days (the length of a facts run)


def regime_facts(r: np.ndarray, trading_days: float = 252.0) -> dict[str, float]:
    """How often extreme days come and how much time is spent in high volatility: days below −5% and
    above +5% (log return beyond ln 0.95 / ln 1.05) per 3,000 days; the 1% and 99% quantiles; the
    median and 95th percentile of the 21-day realised vol (annualised) and the share of days it is
    above 30%. The same function measures the S&P 500 and the model."""
    r = np.asarray(r, dtype=float)
    per = REGIME_PER / len(r)
    rv = forward_realised_vol(r, REGIME_WINDOW, trading_days)[:len(r) - REGIME_WINDOW + 1]   # every full window
    return {"down5": float((r < math.log(0.95)).sum() * per), "up5": float((r > math.log(1.05)).sum() * per),
            "q01": float(np.quantile(r, 0.01)), "q99": float(np.quantile(r, 0.99)),
            "rv_median": float(np.median(rv)), "rv_p95": float(np.quantile(rv, 0.95)),
            "rv_high_share": float((rv > REGIME_HIGH_VOL).mean())}


def sp500_regime_ranges(length: int = REGIME_PER, n_boot: int = 400, block: float = 126.0,
                        seed: int = 0) -> dict[str, tuple[float, float]]:
    """The S&P 500's own sampling range of `regime_facts` over samples as long as a facts run: the
    5–95% range over `n_boot` stationary-bootstrap samples of 1999–2018 (Politis & Romano 1994,
    `arch.bootstrap.StationaryBootstrap`, mean block `block` days so volatility regimes survive)."""
    from arch.bootstrap import StationaryBootstrap

    bs = StationaryBootstrap(block, sp500_returns(), seed=seed)
    boot = [regime_facts(data[0][0][:length]) for data in bs.bootstrap(n_boot)]
    return {k: tuple(np.quantile([b[k] for b in boot], [0.05, 0.95]).tolist()) for k in boot[0]}


@dataclass(frozen=True)
class BandPass:
    """How often samples of the S&P 500 itself sit inside every band of `BANDS`: `samples` of
    `length` days, the share inside every band, and per statistic how many were outside its band."""

    label: str
    samples: int
    share: float
    misses: dict[str, int]


def sp500_band_pass(length: int = FACTS_DAYS, n_boot: int = 400, blocks: Iterable[float] = (100.0, 126.0, 250.0),
                    window_step: int = 21, seed: int = 0) -> list[BandPass]:
    """The bar "every seed inside every band" measured on the data it was set from: the share of
    `length`-day samples of the S&P 500 1999–2018 inside every band, for stationary-bootstrap samples
    (Politis & Romano 1994, `arch.bootstrap.StationaryBootstrap`; one row per mean block length — a
    bootstrap cuts long memory at its block edges, so lag-50 clustering misses more with short blocks)
    and for the data's own overlapping windows every `window_step` days (real, but ≈ 1.7 independent
    samples in 5,030 days). If a 3,000-day sample of the S&P passes with probability p, ten independent
    ones all pass with probability p¹⁰."""
    from arch.bootstrap import StationaryBootstrap

    r = sp500_returns()

    def tally(label: str, samples: Iterable[np.ndarray]) -> BandPass:
        misses: dict[str, int] = {k: 0 for k in BANDS}
        n = inside = 0
        for x in samples:
            out = outside_bands(stylized_facts(x))
            n += 1
            inside += not out
            for k in out:
                misses[k] += 1
        return BandPass(label, n, inside / n, misses)

    rows = [tally(f"stationary bootstrap, mean block {b:g} days",
                  (data[0][0][:length] for data in StationaryBootstrap(b, r, seed=seed).bootstrap(n_boot)))
            for b in blocks]
    rows.append(tally(f"the data's own windows, every {window_step} days",
                      (r[s:s + length] for s in range(0, len(r) - length + 1, window_step))))
    return rows


@dataclass(frozen=True)
class NewsOnly:
    """The news process alone, `samples` independent runs of `days` days on its ensemble axis: the
    equity index's daily log returns from news (days, samples) and the market factor's relative
    volatility each day (days, samples), with the bounds it is clipped to."""

    index_returns: np.ndarray
    market_rel: np.ndarray
    floor: float
    cap: float

    def bound_share(self) -> float:
        """Share of days the market factor's relative volatility sits at its floor or its cap."""
        rel = self.market_rel
        return float(np.mean((rel <= self.floor * (1 + 1e-12)) | (rel >= self.cap * (1 - 1e-12))))


def news_only(overrides: dict[str, Any] | None = None, *, samples: int = 60, days: int = REGIME_PER,
              seed: int = 0) -> NewsOnly:
    """Simulate the baseline's news process alone (no trading, no policy channels), vectorised over
    `samples` runs, from the baseline's calm start. What the bounds and the volatility components
    do by themselves, before any agent trades (docs/validation.md, "Extreme days and volatility
    regimes"); cheap: ≈ 0.1 s per 100 samples × 1,000 days."""
    p = load_scenario("baseline").params(overrides)
    assets = build_assets(p)
    P, L, news = build_news_process(p, assets, samples)
    eq = np.array([a.kind == EQUITY for a in assets])
    cap = np.array([a.cap0 for a in assets])[eq]
    rng = np.random.default_rng(seed)
    R = np.empty((days, samples, P.F))
    rel = np.empty((days, samples))
    for t in range(days):
        rel[t] = news.rel_today()[:, 0]
        R[t] = news.step(rng.standard_normal((samples, P.F)))
    log_p = np.cumsum(np.einsum("tef,af->tea", R, L[eq]), axis=0)
    index = np.log(np.exp(log_p) @ (cap / cap.sum()))
    r = np.diff(np.concatenate([np.zeros((1, samples)), index]), axis=0)
    return NewsOnly(r, rel, float(P.floor[0]), float(P.cap[0]))


FACT_LABELS = {
    "annual_vol": "annualised volatility",
    "skew": "skewness",
    "excess_kurtosis": "excess kurtosis",
    "hill_abs": "Hill tail index α, |r| (top 5%)",
    "hill_left": "Hill tail index α, losses (top 5%)",
    "ac1": "autocorrelation of r, lag 1",
    "abs_ac1": "autocorrelation of |r|, lag 1",
    "abs_ac10": "autocorrelation of |r|, lag 10",
    "abs_ac50": "autocorrelation of |r|, lag 50",
    "abs_ac100": "autocorrelation of |r|, lag 100",
    "leverage_corr": "leverage effect corr(r_t, |r_t+1|)",
    "leverage_corr_10": "leverage effect, mean over lags 1–10",
    "gain_loss": "gain/loss asymmetry (median days to +5% ÷ to −5%, ≤ 126 d)",
}


def sp500_prices() -> pd.Series:
    """S&P 500 adjusted close, 1999-01-04 … 2018-12-31 (ships with `arch`, offline)."""
    return sp500.load()["Adj Close"]


def sp500_returns() -> np.ndarray:
    return log_returns(sp500_prices().to_numpy())


def simulated_returns(asset: str = "SPX", *, scenario: str = "baseline", days: int = 5000,
                      seeds: Iterable[int] = (1, 2, 3), overrides: dict[str, Any] | None = None,
                      disabled: Iterable[str] = ()) -> list[np.ndarray]:
    """Daily log returns of `asset` in long runs, one array per seed."""
    return simulated_returns_by_asset((asset,), scenario=scenario, days=days, seeds=seeds,
                                      overrides=overrides, disabled=disabled)[asset]


def simulated_returns_by_asset(assets: Iterable[str], *, scenario: str = "baseline", days: int = 5000,
                               seeds: Iterable[int] = (1, 2, 3), overrides: dict[str, Any] | None = None,
                               disabled: Iterable[str] = ()) -> dict[str, list[np.ndarray]]:
    """Daily log returns of several assets from the same runs: asset → one array per seed."""
    assets = tuple(assets)
    out: dict[str, list[np.ndarray]] = {a: [] for a in assets}
    for s in seeds:
        ts = cached_run(scenario, days=days, seed=s, overrides=overrides, disabled=disabled).timeseries
        for a in assets:
            out[a].append(log_returns(ts[a].to_numpy()))
    return out


def endogenous_classes() -> list[str]:
    """The trading agent classes (what 'only i.i.d. noise' switches off)."""
    return trading_classes()


# ----- the multiplier ----------------------------------------------------------------------------
def equity_multiplier(seeds: Iterable[int] = (1, 2, 3), flow_bn_per_day: float = 2.0, days: int = 20,
                      overrides: dict[str, Any] | None = None) -> dict[str, list[float]]:
    """Inject a steady flow into SPX for `days` days and compare with the same seed without it.
    'permanent' is the log-price response net of the transient (propagator) state `market.x`,
    per unit of injected flow / equity cap — the multiplier M of Gabaix & Koijen; 'total' includes
    the transient part still in prices."""
    perm, total = [], []

    def inject(seed: int, flow: float):
        m = build_model("baseline", seed=seed, overrides=overrides)
        m.external_flow = {"SPX": flow} if flow else {}
        cap0 = m.market.cap[m.market.is_equity].sum()
        try:
            for _ in range(days):
                m.step()
            mk = m.market
            return math.log(mk.spx), float(mk.w_spx @ mk.x), cap0
        finally:
            m.release()

    for s in seeds:
        lp0, x0, cap0 = inject(s, 0.0)
        lp1, x1, _ = inject(s, flow_bn_per_day)
        frac = flow_bn_per_day * days / cap0
        total.append((lp1 - lp0) / frac)
        perm.append(((lp1 - x1) - (lp0 - x0)) / frac)
    return {"permanent": perm, "total": total}


# ----- loop signs (MODEL.md §6.1) ----------------------------------------------------------------
def shock_drawdown(ts: pd.DataFrame, start: int = 19, end: int = 60, asset: str = "SPX") -> float:
    """Drawdown of `asset` from the day before a shock (day `start`) to its trough before `end`."""
    p = ts[asset].to_numpy()[start:end]
    return float(1.0 - p.min() / p[0])


def mean_variance_ratio(ts: pd.DataFrame, horizons: Iterable[int] = range(5, 21), asset: str = "SPX") -> float:
    """Trend persistence: mean variance ratio Var(r_k)/(k·Var(r_1)) over k = 5..20 days (above 1
    when returns are positively autocorrelated at those horizons)."""
    lp = np.log(ts[asset].to_numpy())
    r1 = np.diff(lp)
    return float(np.mean([(lp[k:] - lp[:-k]).var() / (k * r1.var()) for k in horizons]))


def blackout_return_gap(ts: pd.DataFrame, ts_off: pd.DataFrame) -> tuple[float, float]:
    """Mean daily SPX return on buyback open-window days minus blackout days: in the run itself,
    and its buyback-driven part (returns with buybacks minus without, same random numbers)."""
    r = log_returns(ts["SPX"].to_numpy())
    r_off = log_returns(ts_off["SPX"].to_numpy())
    open_ = ts["buyback_open_share"].to_numpy()[1:] >= 0.5
    return (float(r[open_].mean() - r[~open_].mean()),
            float((r - r_off)[open_].mean() - (r - r_off)[~open_].mean()))


def forced_flow_bn(flows: pd.DataFrame, reason_contains: str = "") -> float:
    """$bn traded in forced clearing rounds (optionally only rows whose reason contains a word)."""
    if not len(flows):
        return 0.0
    f = flows[flows["forced"]]
    if reason_contains:
        f = f[f["reason"].astype(str).str.contains(reason_contains)]
    return float(f["usd_bn"].abs().sum())


CASCADE_KINDS_EXCLUDED = {"shock", "trigger", "warning", "fed"}


def cascade_reach(events: pd.DataFrame) -> int:
    """How far a cascade spreads: distinct targets of cascade events (the interlock and crypto
    blocks' propagation rows; shocks, clearing triggers and warnings are not cascade steps)."""
    if not len(events):
        return 0
    e = events[~events["kind"].astype(str).isin(CASCADE_KINDS_EXCLUDED)]
    return int(e["target"].nunique())


@dataclass
class Loop:
    """A documented loop sign: `effect(on, off)` (runs of `scenario` with the class on and off,
    same seed) is positive when the loop has its documented sign. 'Off' switches the class off,
    or, when `off_overrides` is given, applies those instead (e.g. only the liquidation switch), or,
    with `off_without_shocks`, runs the scenario without its shocks (the shock is the loop's cause)."""

    agent_class: str
    claim: str
    scenario: str
    effect: Callable[[RunResult, RunResult], float]
    effect_label: str
    days: int | None = None
    seeds: tuple[int, ...] = (1, 2, 3)
    quick_seeds: tuple[int, ...] = (1, 2)
    min_share: float = 1.0           # share of seeds that must show the sign
    must_hold: bool = True
    off_overrides: dict[str, Any] | None = None
    off_without_shocks: bool = False
    overrides: dict[str, Any] | None = None   # applied to both runs (the facts runs' small crypto population)


def _dd_effect(on: RunResult, off: RunResult) -> float:
    return shock_drawdown(on.timeseries) - shock_drawdown(off.timeseries)


def _vr_effect(on: RunResult, off: RunResult) -> float:
    return mean_variance_ratio(on.timeseries) - mean_variance_ratio(off.timeseries)


def _blackout_effect(on: RunResult, off: RunResult) -> float:
    return blackout_return_gap(on.timeseries, off.timeseries)[1]


def _absorb_effect(on: RunResult, off: RunResult) -> float:
    """The vol-shock drawdown without the class minus with it (> 0: the class absorbs the selling)."""
    return shock_drawdown(off.timeseries) - shock_drawdown(on.timeseries)


def _btc_drawdown_effect(on: RunResult, off: RunResult) -> float:
    return (drawdown_stats(on.timeseries["BTC"].to_numpy())["max_drawdown"]
            - drawdown_stats(off.timeseries["BTC"].to_numpy())["max_drawdown"])


def _etf_outflow_effect(on: RunResult, off: RunResult) -> float:
    """ETF net selling in the 20 days from the first shock, with the shock minus without."""
    at = int(min(s["at"] for s in on.summary.get("shocks", [])) if on.summary.get("shocks") else 1)
    w = slice(at, at + 20)
    return float(off.timeseries["etf_flow_bn"].iloc[w].sum() - on.timeseries["etf_flow_bn"].iloc[w].sum())


def _supplier_price_effect(on: RunResult, off: RunResult) -> float:
    """log NVDA (the chip supplier) without the capex shocks minus with them, 40 days after the last."""
    last = int(max(s["at"] for s in on.summary.get("shocks", [])) if on.summary.get("shocks") else 1)
    d = min(last + 40, len(on.timeseries) - 1)
    return float(math.log(off.timeseries["NVDA"].iloc[d]) - math.log(on.timeseries["NVDA"].iloc[d]))


LOOPS: list[Loop] = [
    Loop("vol_target", "vol-target funds deepen a vol shock's drawdown", "vol_shock", _dd_effect,
         "SPX drawdown days 19–60, on − off", seeds=(1, 2, 3, 4, 5, 6), quick_seeds=(1, 2, 3, 4),
         min_share=0.75),
    # 3,000-day baselines: the 'on' runs are the stylized-facts runs of section 1 (memoised)
    Loop("cta", "CTAs lengthen trends", "baseline", _vr_effect,
         "variance ratio VR(5–20d), on − off", days=FACTS_DAYS, seeds=(1, 2, 3), quick_seeds=(1,),
         overrides=FACTS_OVERRIDES),
    Loop("buyback", "buyback blackouts lower mean returns (the bid is weaker out of the window)",
         "baseline", _blackout_effect, "SPX mean return open − blackout, buyback-driven part",
         days=FACTS_DAYS, seeds=(1, 2), quick_seeds=(1,), overrides=FACTS_OVERRIDES),
    # reported, not must-hold: the desks trade 5% of their gap a day, so over a 40-day window their
    # buying of the discount is small beside the shock (seeds 1–3: +0.0, −0.5, −0.8 points; docs/validation.md)
    Loop("discretionary", "discretionary desks lean against flow-driven discounts: a vol shock's drawdown is "
         "smaller with them", "vol_shock", _absorb_effect, "SPX drawdown days 19–60, off − on",
         seeds=(1, 2, 3, 4, 5, 6), quick_seeds=(1, 2, 3, 4), min_share=0.75, must_hold=False),
    # the crypto block (MODEL.md §6.1)
    Loop("retail_crypto", "liquidations deepen crypto drawdowns", "crypto_trust_crisis", _btc_drawdown_effect,
         "BTC max drawdown, liquidations on − off", seeds=(1, 2, 3), quick_seeds=(1, 2),
         off_overrides={"retail_crypto.liquidations": False}),
    # the interlock block: capex cuts travel down the supply edges to the chip vendors' prices
    Loop("interlock", "hyperscaler capex cuts lower their suppliers' prices (NVDA)", "ai_capex_bust",
         _supplier_price_effect, "log NVDA 40 days after the cuts, without − with the shocks", seeds=(1, 2, 3),
         quick_seeds=(1,), off_without_shocks=True),
    Loop("crypto_etf", "hacks produce ETF outflows", "exchange_hack", _etf_outflow_effect,
         "ETF net selling $bn in the 20 days after the hack, with − without the hack", seeds=(1, 2, 3),
         quick_seeds=(1, 2), off_without_shocks=True),
]


@dataclass
class LoopResult:
    loop: Loop
    effects: list[float]
    seeds: tuple[int, ...]
    ok: bool

    @property
    def mean(self) -> float:
        return float(np.mean(self.effects))


def loop_sign(loop: Loop, quick: bool = False) -> LoopResult:
    """Run `loop.scenario` with the class on and off under the same seeds; the loop holds when the
    mean effect is positive and at least `min_share` of the seeds agree."""
    seeds = loop.quick_seeds if quick else loop.seeds
    eff = []
    base = loop.overrides
    for s in seeds:
        on = cached_run(loop.scenario, days=loop.days, seed=s, overrides=base)
        if loop.off_overrides is not None:
            off = cached_run(loop.scenario, days=loop.days, seed=s, overrides={**(base or {}), **loop.off_overrides})
        elif loop.off_without_shocks:
            off = cached_run(loop.scenario, days=loop.days, seed=s, without_shocks=True, overrides=base)
        else:
            off = cached_run(loop.scenario, days=loop.days, seed=s, disabled=[loop.agent_class], overrides=base)
        eff.append(float(loop.effect(on, off)))
    eff_a = np.array(eff)
    ok = bool(eff_a.mean() > 0 and (eff_a > 0).mean() >= loop.min_share - 1e-12)
    return LoopResult(loop, eff, tuple(seeds), ok)


# ----- the ablation table ------------------------------------------------------------------------
# The two scenarios that exercise each agent class (MODEL.md §5 attribution); every class of
# `model.agent_classes()` has an entry (a unit test keeps it so).
EXERCISED_BY: dict[str, tuple[str, str]] = {
    "vol_target": ("vol_shock", "baseline"),
    "cta": ("baseline", "vol_shock"),
    "buyback": ("baseline", "buyback_ban"),
    "discretionary": ("baseline", "vol_shock"),
    "dealer": ("vol_shock", "baseline"),
    "fed": ("fed_whiplash", "political_easing_2026"),
    "retail_crypto": ("crypto_trust_crisis", "exchange_hack"),
    "crypto_etf": ("exchange_hack", "crypto_trust_crisis"),
    "interlock": ("deepseek_efficiency", "ai_capex_bust"),
}
ABLATION_METRICS = {
    "dd_spx": "max drawdown SPX",
    "dd_btc": "max drawdown BTC",
    "peak_vol": "peak VOL_1M",
    "trend_vr": "trend persistence VR(5–20d)",
    "forced_bn": "forced flows $bn",
    "liquidations_bn": "liquidations $bn",
    "cascade_reach": "cascade reach (distinct targets)",
}


def run_metrics(r: RunResult) -> dict[str, float]:
    ts = r.timeseries
    return {
        "dd_spx": drawdown_stats(ts["SPX"].to_numpy())["max_drawdown"],
        "dd_btc": drawdown_stats(ts["BTC"].to_numpy())["max_drawdown"],
        "peak_vol": float(ts["VOL_1M"].max()),
        "trend_vr": mean_variance_ratio(ts),
        "forced_bn": forced_flow_bn(r.flows),
        "liquidations_bn": forced_flow_bn(r.flows, "liquidat"),
        "cascade_reach": float(cascade_reach(r.events)),
    }


def ablation(seeds: Iterable[int] = (1, 2), days: int | None = None,
             classes: Iterable[str] | None = None) -> pd.DataFrame:
    """For every agent class, on every scenario that exercises it: the metrics with the class on,
    and on − off (same seeds), averaged over seeds. One row per (class, scenario)."""
    rows = []
    for cls in (classes if classes is not None else agent_classes()):
        for sc in EXERCISED_BY[cls]:
            on_m, d_m = [], []
            for s in seeds:
                on = run_metrics(cached_run(sc, days=days, seed=s))
                off = run_metrics(run(sc, days=days, seed=s, amplification=False, disabled=[cls]))
                on_m.append(on)
                d_m.append({k: on[k] - off[k] for k in off})
            row = {"agent_class": cls, "scenario": sc}
            for k in ABLATION_METRICS:
                row[k] = float(np.mean([m[k] for m in on_m]))
                row[f"d_{k}"] = float(np.mean([m[k] for m in d_m]))
            rows.append(row)
    return pd.DataFrame(rows)


# ----- leverage-cycle instability (Aymanns & Farmer 2015) ----------------------------------------
@dataclass
class LeverageCycle:
    """A sweep of vol-target AUM (or leverage cap) in the full model: per value, the local extrema of
    the funds' (20-day smoothed) exposure over all seeds — the bifurcation diagram — and the order
    parameters: the largest daily SPX loss and the excess kurtosis (seed means)."""

    key: str
    values: list[float]
    extrema: list[np.ndarray]
    exposure_sd: list[float]
    largest_loss: list[float]
    kurtosis: list[float]
    spx_vol: list[float]
    threshold: float | None
    seeds: tuple[int, ...]
    threshold_factor: float
    overrides: dict[str, Any] = field(default_factory=dict)
    crash_days: list[float] = field(default_factory=list)   # days with an SPX loss beyond 5%, per seed (mean)


def _local_extrema(x: np.ndarray) -> np.ndarray:
    d = np.diff(x)
    turn = np.flatnonzero(np.sign(d[1:]) * np.sign(d[:-1]) < 0) + 1
    return x[turn]


def leverage_cycle(values: Iterable[float], key: str = "vol_target.aum", days: int = 1500,
                   burn_in: int = 500, seeds: Iterable[int] = (1, 2, 3),
                   overrides: dict[str, Any] | None = None, threshold_factor: float = 1.5,
                   smooth_days: int = 20) -> LeverageCycle:
    """Sweep `key` with every agent class on. The threshold is the first value at which the largest
    daily SPX loss (mean over seeds) exceeds `threshold_factor` × its level at the smallest value:
    below it the funds' feedback only colours the noise (a noisy fixed point); above it deleveraging,
    risk exits and short-gamma hedging feed on each other and the market crashes endogenously. A run
    that overflows counts as unbounded (never NaN in the report)."""
    values = [float(v) for v in values]
    seeds = tuple(seeds)
    kernel = np.ones(smooth_days) / smooth_days
    extrema, exp_sd, loss, kurt, vols, crashes = [], [], [], [], [], []
    for v in values:
        o = dict(overrides or {})
        o[key] = v
        ex, sd, lo, ku, vo, cr = [], [], [], [], [], []
        for s in seeds:
            try:
                ts = run("baseline", days=days, seed=s, overrides=o, amplification=False).timeseries.iloc[burn_in:]
            except FloatingPointError:
                sd.append(float("inf")); lo.append(float("inf")); ku.append(float("inf")); vo.append(float("inf"))
                cr.append(float("inf"))
                continue
            x = ts["vol_target_exposure"].to_numpy()
            ex.append(_local_extrema(np.convolve(x, kernel, mode="valid")))
            sd.append(float(x.std()))
            r = log_returns(ts["SPX"].to_numpy())
            f = stylized_facts(r)
            lo.append(float(1.0 - math.exp(r.min())))      # as a simple return: at most 100%
            ku.append(f["excess_kurtosis"])
            vo.append(f["annual_vol"])
            cr.append(float((r < math.log(0.95)).sum()))
        extrema.append(np.concatenate(ex) if ex else np.array([]))
        exp_sd.append(float(np.mean(sd)))
        loss.append(float(np.mean(lo)))
        kurt.append(float(np.mean(ku)))
        vols.append(float(np.mean(vo)))
        crashes.append(float(np.mean(cr)))
    calm = loss[0]
    threshold = next((v for v, x in zip(values, loss) if x > threshold_factor * calm), None)
    return LeverageCycle(key, values, extrema, exp_sd, loss, kurt, vols, threshold, seeds, threshold_factor,
                         dict(overrides or {}), crashes)


# ----- conservation and determinism --------------------------------------------------------------
@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    must_hold: bool = True


@dataclass
class Books:
    """A run's books rebuilt from its flow table: class → (units, cash) per member, beside the
    model's own (`model.populations`), plus the money in the outside accounts at the start."""

    model: Any
    timeseries: pd.DataFrame
    flows: pd.DataFrame
    rebuilt: dict[str, tuple[np.ndarray, np.ndarray]]
    money0: float


def rebuild_books(scenario: str = "vol_shock", days: int = 40, seed: int = 3) -> Books:
    """Run `scenario`, keeping each (day, round)'s clearing prices, and rebuild every population's
    positions and cash from the flow-table rows (each at its round's price)."""
    m = build_model(scenario, seed=seed)
    prices: dict[tuple[int, int], np.ndarray] = {}
    m.fill_observers.append(lambda day, rnd, p: prices.__setitem__((day, rnd), p.copy()))
    start = {p.agent_class: (p.units.copy(), p.cash.copy()) for p in m.populations}
    money0 = sum(float(p.cash.sum()) for p in m.populations) + sum(hooks.money_accounts(m).values())
    try:
        ts, flows, _ = simulate(m, days)
    finally:
        m.release()
    instr = m.market.instruments
    rebuilt = {}
    for pop in m.populations:
        units, cash = (x.copy() for x in start[pop.agent_class])
        f = flows[flows["agent_class"] == pop.agent_class]
        row_of = {int(i): k for k, i in enumerate(pop.ids)}
        for d, rnd, aid, asset, usd in zip(f["day"], f["round"], f["agent_id"], f["asset"], f["usd_bn"]):
            j = instr.index(asset)
            units[row_of[int(aid)], j] += usd / prices[(int(d), int(rnd))][j]
            cash[row_of[int(aid)]] -= usd
        rebuilt[pop.agent_class] = (units, cash)
    return Books(m, ts, flows, rebuilt, money0)


def conservation(scenario: str = "vol_shock", days: int = 60, seed: int = 3) -> list[Check]:
    """Check the rebuilt books (`rebuild_books`): positions = sum of executed trades; money (all cash
    plus the registered outside accounts) changes only by the dollars traded; BTC units held change
    only by BTC trades. Also reported: the dollars that moved prices each day (time-series flow
    columns) beside the dollars the agents paid (flow table)."""
    books = rebuild_books(scenario, days, seed)
    m, ts, flows = books.model, books.timeseries, books.flows
    money0 = books.money0
    instr = m.market.instruments
    j_btc = instr.index("BTC")
    worst_units, worst_btc = 0.0, 0.0
    retiring, per_class_cash = [], {}
    n_rows = 0
    btc_rebuilt, btc_held = 0.0, 0.0
    for pop in m.populations:
        n_rows += int((flows["agent_class"] == pop.agent_class).sum())
        units, cash = books.rebuilt[pop.agent_class]
        per_class_cash[pop.agent_class] = float(cash.sum() - pop.cash.sum())
        if not pop.units.any() and units.any():
            retiring.append(pop.agent_class)          # holds nothing: bought shares are retired
            continue
        worst_units = max(worst_units, float(np.max(np.abs(units - pop.units), initial=0.0)))
        btc_rebuilt += float(units[:, j_btc].sum())
        btc_held += float(pop.units[:, j_btc].sum())
    worst_btc = abs(btc_rebuilt - btc_held)
    note = f" ({', '.join(retiring)}: repurchased shares are retired, cash checked)" if retiring else ""
    checks = [Check("positions = sum of executed trades", worst_units < 1e-9,
                    f"{len(m.populations)} populations, {n_rows} flow rows, {days} days of {scenario}; "
                    f"max |rebuilt − held| = {worst_units:.2e} units{note}")]
    accounts1 = hooks.money_accounts(m)
    money1 = sum(float(p.cash.sum()) for p in m.populations) + sum(accounts1.values())
    paid_total = float(flows["usd_bn"].sum()) if len(flows) else 0.0
    gap_money = abs((money0 - paid_total) - money1)
    moved = {k: v for k, v in per_class_cash.items() if abs(v) > 1e-9}
    accounts = ", ".join(accounts1) or "none"
    checks.append(Check("money: cash changes only by executed trades", gap_money < 1e-6,
                        f"|Δ(all cash + outside accounts) + $ traded| = {gap_money:.2e} $bn; outside accounts: "
                        f"{accounts}" + (f"; non-trade transfers inside a class's book: "
                                         + ", ".join(f"{k} {v:+.3f}" for k, v in moved.items()) if moved else "")))
    coins_per_unit = 1e9 / float(m.params["market.btc_price"])   # 1 unit = $1bn of BTC at the start price
    checks.append(Check("BTC units: holdings change only by BTC trades", worst_btc < 1e-9,
                        f"|rebuilt − held| = {worst_btc:.2e} units; modelled agents hold "
                        f"{btc_held * coins_per_unit:,.0f} BTC at the end"))
    # the market side: every $ the agents paid moved the market (flow columns are per primitive asset)
    paid = flows.groupby("day")["usd_bn"].sum().reindex(ts["day"], fill_value=0.0).to_numpy()
    flow_cols = [c for c in ts.columns if c.startswith("flow_") and c.endswith("_bn")]
    absorbed = ts[flow_cols].sum(axis=1).to_numpy()
    gap = float(np.max(np.abs(paid[1:] - absorbed[1:]))) if len(paid) > 1 else 0.0
    checks.append(Check("flows: $ that moved prices = $ the agents paid, every day", gap < 1e-6,
                        f"max daily gap {gap:.2e} $bn over {days} days (an identity for dollar orders; unit "
                        "sells clear at the pre-round price and fill at the round's price, so two-sided "
                        "books such as the crypto holders' show a small gap)", must_hold=False))
    return checks


def determinism(scenario: str = "vol_shock", days: int = 40, seed: int = 3,
                other_process: bool = True) -> list[Check]:
    """Same config + seed ⇒ identical tables, in this process and in a fresh one."""
    a = run(scenario, days=days, seed=seed, amplification=False)
    b = run(scenario, days=days, seed=seed, amplification=False)
    same = (a.timeseries.equals(b.timeseries) and a.flows.equals(b.flows) and a.events.equals(b.events))
    checks = [Check("same seed twice in one process ⇒ identical tables", same,
                    f"{scenario}, seed {seed}, {days} days: time series, flows and events compared")]
    if other_process:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "r"
            res = subprocess.run([sys.executable, "-m", "interlock.cli", "run", scenario, "--days", str(days),
                                  "--seed", str(seed), "--out", str(out), "--quiet", "--no-figures"],
                                 capture_output=True, text=True)
            ok = res.returncode == 0
            detail = res.stderr.strip()[-200:] if not ok else ""
            if ok:
                there = pd.read_parquet(out / "timeseries.parquet")
                here = a.timeseries.reset_index(drop=True)
                num = [c for c in here.columns if c != "date"]
                ok = bool(np.array_equal(here[num].to_numpy(), there[num].to_numpy()))
                detail = f"`interlock run {scenario} --seed {seed}` in a subprocess: time series bit-identical"
        checks.append(Check("same seed in another process ⇒ identical time series", ok, detail))
    return checks


# ----- implied volatility (issue #12 item 4): one set of functions for VIX data and the model -----
def vix_series() -> pd.Series:
    """Cboe VIX daily close, 2014-01-03 … 2019-01-03 (ships with `arch`, offline), in vol points."""
    from arch.data import vix           # lazy: the arch data loaders read files on first use
    return vix.load()["vix"].dropna()


def sp500_on_vix_days() -> np.ndarray:
    """S&P 500 log returns from each VIX day to the next (r[t] = day t → t+1; the last is NaN). The
    S&P series ends on 2018-12-31, so the last VIX days have no return (NaN)."""
    p = sp500_prices().reindex(vix_series().index)
    r = np.diff(np.log(p.to_numpy()))
    return np.append(r, np.nan)


def spike_half_lives(v: np.ndarray, prior_window: int = 20, jump: float = 0.3, max_wait: int = 60,
                     separation: int = 20) -> np.ndarray:
    """Half-lives (trading days) of implied-vol spikes. A spike day t is a local maximum over ±5 days
    with v_t ≥ (1 + jump) × the mean of the `prior_window` days before t; its excess is v_t minus that
    prior mean; the half-life is the first k ≥ 1 with v_{t+k} − prior ≤ excess / 2 (NaN if not within
    `max_wait`). Spikes closer than `separation` days to the previous one are skipped."""
    v = np.asarray(v, dtype=float)
    out, last = [], -10 ** 9
    for t in range(prior_window, len(v) - 1):
        if t - last < separation:
            continue
        lo, hi = max(0, t - 5), min(len(v), t + 6)
        if v[t] < v[lo:hi].max():
            continue
        prior = v[t - prior_window:t].mean()
        if v[t] < (1 + jump) * prior:
            continue
        after = v[t + 1:t + 1 + max_wait] - prior
        k = np.flatnonzero(after <= (v[t] - prior) / 2)
        out.append(k[0] + 1 if len(k) else np.nan)
        last = t
    return np.array(out, dtype=float)


def forward_realised_vol(r_next: np.ndarray, h: int = 21, trading_days: float = 252.0) -> np.ndarray:
    """Annualised realised vol over the h days after day t, sqrt(252/h · Σ_{j=0..h−1} r_next[t+j]²),
    where r_next[t] is the return from day t to t+1; NaN where the window runs past the end."""
    r = np.nan_to_num(np.asarray(r_next, dtype=float))
    c = np.concatenate([[0.0], np.cumsum(r * r)])
    n = len(r)
    out = np.full(n, np.nan)
    t = np.arange(max(0, n - h + 1))
    out[t] = np.sqrt(trading_days / h * (c[t + h] - c[t]))
    return out


def implied_vol_stats(vol_1m: np.ndarray, r_next: np.ndarray, vol_3m: np.ndarray | None = None) -> dict[str, float]:
    """What issue #12 asks of an implied-vol series (vol points): the premium of implied over the
    realised vol of the next 21 days (`r_next[t]` = the return of day t+1), the spike half-lives, and
    with a 3-month tenor the contango share on calm days (calm = VOL_1M below its median, the analogue
    of VIX below its median) and the inversion share on all days and on the top decile of VOL_1M."""
    v = np.asarray(vol_1m, dtype=float)
    fwd = forward_realised_vol(r_next, 21) * 100.0
    ok = np.isfinite(fwd) & np.isfinite(v)
    if np.isnan(np.asarray(r_next, dtype=float)).any():       # windows that reach a missing return
        bad = np.flatnonzero(np.isnan(np.asarray(r_next, dtype=float)))
        for b in bad:
            ok[max(0, b - 20):b + 1] = False
    hl = spike_half_lives(v)
    out = {"premium_pts": float(np.mean(v[ok] - fwd[ok])), "premium_positive_share": float(np.mean(v[ok] > fwd[ok])),
           "median_vol": float(np.median(v)), "spikes": float(np.isfinite(hl).sum()),
           "half_life_median": float(np.nanmedian(hl)) if np.isfinite(hl).any() else float("nan"),
           "half_life_max": float(np.nanmax(hl)) if np.isfinite(hl).any() else float("nan")}
    if vol_3m is not None:
        w = np.asarray(vol_3m, dtype=float)
        calm = v < np.median(v)
        top = v >= np.quantile(v, 0.9)
        out.update(contango_calm=float(np.mean(v[calm] < w[calm])), inverted_all=float(np.mean(v > w)),
                   inverted_top_decile=float(np.mean(v[top] > w[top])))
    return out


def model_implied_vol_stats(ts: pd.DataFrame) -> dict[str, float]:
    """`implied_vol_stats` of a run (VOL in decimals → points; r_next from SPX)."""
    r = log_returns(ts["SPX"].to_numpy())                     # r[t] = day t → t+1
    return implied_vol_stats(100.0 * ts["VOL_1M"].to_numpy()[:-1], r, 100.0 * ts["VOL_3M"].to_numpy()[:-1])


def vix_stats() -> dict[str, float]:
    v = vix_series().to_numpy()
    return implied_vol_stats(v[:-1], sp500_on_vix_days()[:-1])


# ----- flows are money (issue #12 item 2) ---------------------------------------------------------
def daily_net_flows(flows: pd.DataFrame, days: int, assets: Iterable[str] | None = None) -> pd.DataFrame:
    """Net USD bn traded per day and class (all rounds), days 1..days (0 where a class did not trade);
    `assets` restricts to some instruments (e.g. the equities and SPX)."""
    f = flows if assets is None else flows[flows["asset"].isin(list(assets))]
    tab = f.pivot_table(index="day", columns="agent_class", values="usd_bn", aggfunc="sum", fill_value=0.0,
                        observed=True)
    return tab.reindex(pd.Index(range(1, days + 1), name="day"), fill_value=0.0)


def forced_rounds_per_day(flows: pd.DataFrame, days: int, agent_class: str) -> np.ndarray:
    """How many forced clearing rounds a class traded in, per day."""
    f = flows[(flows["agent_class"] == agent_class) & flows["forced"]]
    n = f.groupby("day")["round"].nunique()
    return n.reindex(range(1, days + 1), fill_value=0).to_numpy()
