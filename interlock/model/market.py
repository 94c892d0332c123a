"""Assets, price formation and clearing in rounds (issue #12; MODEL.md §2 as revised there).

For a primitive asset a on day t the log return is::

    r_a,t = news_a,t                            prices that move without trade (`news.py`): every
                                                holder revalues together; factor model with
                                                clustering, leverage and fat tails
          + Σ_rounds impact(F_a,round)          every class's executed dollars through one kernel
                                                (`impact.py`): permanent M·F/C (Gabaix & Koijen)
                                                + concave transient g·R·M/C·[ψ(Q+F) − ψ(Q)] that
                                                decays overnight (two-timescale propagator)
          + decay of yesterday's transient
          + κ_a (ln V_a − ln P_a)               slow value investors on the part of the price that
                                                news did not put there (off-value flows)
          + pending news                         value changes from blocks and shocks

The news moves the value V and the price P together; flows move P only, so ln V − ln P is the
flow-induced mispricing. Depth g = clip((σ/σ_ref)^γ, g_min, g_max) thins with the higher of the
news σ and the realised σ̂ (square-root law: impact ∝ σ; Deuskar & Johnson 2011: illiquidity rises
with volatility and with net selling); it is set at the open and bounded by g_max, so it cannot
raise the intraday round gain past its bound. SPX is not traded directly: index flows are split
across constituents by cap weight, and the index level is the cap-weighted sum. Round 0 clears all
voluntary orders with the news, decay and κ terms; rounds 1, 2, … clear forced orders (impact only).

Guards (`max_flow_fraction`, `max_round_log_move`) stay as guards on what trading does: when one
binds the event is logged and the run is marked unstable (`guard_events`); nothing relies on them to
stay finite (`model/stability.py` bounds the worst-case round gain below 1 over the plausible
ranges). News is exogenous and is priced as given: a news move larger than `max_round_log_move`
(a block repricing a firm by half in a day) is reported as a `news_jump` event, not clipped.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from ..agents import jit
from ..agents.base import clip
from ..config import Params, ParamView, RunParams
from ..errors import InputError
from .impact import ImpactKernel, ImpactParams
from .news import NewsParams, NewsProcess, _fast_kernels, loading_matrix
from .volatility import VolParams

log = logging.getLogger(__name__)

EQUITY, CRYPTO, BOND = "equity", "crypto", "bond"


@dataclass(frozen=True)
class MarketParams(ParamView, section="market"):
    """Price impact and the assets' starting state (interlock/data/params/market.toml, [market])."""

    equity_multiplier: float           # $ of value per $ of flow: permanent impact M of equities
    btc_multiplier: float              # the same for BTC
    bond_multiplier: float             # the same for UST10
    transient_ratio: float             # R: transient / permanent impact at the close, equities
    btc_transient_ratio: float         # R for BTC
    bond_transient_ratio: float        # R for UST10
    crossover_equity_bn: float         # USD bn: Q_c of the whole equity market (∝ cap per stock)
    crossover_btc_bn: float            # USD bn: Q_c of BTC
    crossover_bond_bn: float           # USD bn: Q_c of UST10
    liquidity_memory_days: float       # days: decay of the liquidity memory Q
    propagator_days: list[float]       # days: time scales of the transient's decay
    propagator_weights: list[float]    # weights of those time scales (sum 1)
    depth_vol_exponent: float          # γ in g = (σ_news/σ̄)^γ
    depth_factor_min: float            # bounds on g
    depth_factor_max: float
    depth_reference_annual_vol: float  # equities' vol at which depth is normal (g = 1)
    max_flow_fraction: float           # guard: share of cap per round
    max_round_log_move: float          # guard: log return per round
    value_half_life_equity_days: float  # days: half-life of the value anchor κ, equities
    value_half_life_btc_days: float    # days: the same for BTC
    value_half_life_bond_days: float   # days: the same for UST10
    news_fraction: float               # share of a change in value priced at the next round 0
    bond_yield_sigma: float            # daily s.d. of the 10y yield's news (decimal)
    bond_duration: float               # years: UST10 log-price change per unit yield change
    bond_cap: float                    # USD bn (10y-equivalent float)
    btc_price: float                   # USD per BTC at day 0
    btc_cap: float                     # USD bn at day 0
    ust10_yield: float                 # decimal: the 10y yield at day 0


@dataclass(frozen=True)
class NewsConfig(ParamView, section="news"):
    """The news process (interlock/data/params/market.toml, [news]; `model/news.py`)."""

    market_sigma_annual: float         # nominal σ̄ of the equity market factor
    market_timescales_days: list[float]  # τ_k of its log-vol components
    market_logvol_sd: list[float]      # s_k: stationary s.d. of each component
    market_leverage: list[float]       # ρ_k: signed share of each component's shock
    market_feedback: float             # b: volatility feedback (Campbell & Hentschel)
    market_tail: float                 # h: Tukey-h tail weight of the daily news
    market_mean_slope: float           # κ_μ: conditional mean falls with volatility
    market_rel_floor: float            # bounds on relative volatility σ/σ̄
    market_rel_cap: float
    exogenous_variance_impact: float   # g: a scenario's news of r raises a factor's spot variance by g·r²
    idio_timescales_days: list[float]  # the same for each stock's own factor
    idio_logvol_sd: list[float]
    idio_leverage: list[float]
    idio_tail: float
    idio_market_exponent: float        # ψ: idiosyncratic vol ∝ (market relative vol)^ψ
    idio_rel_floor: float
    idio_rel_cap: float
    btc_sigma_annual: float            # nominal σ̄ of BTC
    btc_timescales_days: list[float]
    btc_logvol_sd: list[float]
    btc_tail: float
    btc_equity_loading: float          # λ: loading of BTC's shock on the equity factor's
    btc_equity_downside: float         # a: the loading is λ + a on the equity factor's down days, λ − a on up days
    btc_rel_floor: float
    btc_rel_cap: float
    ust_timescales_days: list[float]   # the 10y yield's news (σ̄ = market.bond_yield_sigma)
    ust_logvol_sd: list[float]
    ust_rel_floor: float
    ust_rel_cap: float
    ust_news_half_life_days: float     # days: the 10y yield's news (its term-premium part) reverts to the fair yield


@dataclass(frozen=True)
class AssetParams(ParamView, section="assets", keyed=True):
    """One equity of the universe (interlock/data/params/market.toml, [assets.<ticker>])."""

    cap: float                         # USD bn at day 0
    sigma: float                       # daily s.d. of its idiosyncratic news
    beta: float                        # loading on the market factor


@dataclass(frozen=True)
class Asset:
    """One primitive (directly traded) asset."""

    name: str
    kind: str
    cap0: float          # USD bn
    multiplier: float    # permanent impact M
    kappa: float         # daily value-reversion rate
    sigma: float         # daily s.d. of its own news
    beta: float          # loading on the market factor (equities)


def build_assets(p: Params) -> list[Asset]:
    """The primitive assets: listed firms + REST (equities), BTC, UST10, in this fixed order."""
    q = MarketParams.from_params(p)
    nw = NewsConfig.from_params(p)
    days = RunParams.from_params(p).trading_days_per_year
    hl = lambda d: math.log(2.0) / d  # noqa: E731 - half-life → daily rate
    eq_k = hl(q.value_half_life_equity_days)
    assets = []
    for name in p.names_under("assets"):
        a = AssetParams.from_params(p, name)
        assets.append(Asset(name, EQUITY, a.cap, q.equity_multiplier, eq_k, a.sigma, a.beta))
    assets.append(Asset("BTC", CRYPTO, q.btc_cap, q.btc_multiplier, hl(q.value_half_life_btc_days),
                        nw.btc_sigma_annual / math.sqrt(days), 0.0))
    assets.append(Asset("UST10", BOND, q.bond_cap, q.bond_multiplier, hl(q.value_half_life_bond_days),
                        q.bond_yield_sigma * q.bond_duration, 0.0))
    return assets


def _pad(values, k: int, fill: float) -> list[float]:
    return list(values) + [fill] * (k - len(values))


def build_news(p: Params, assets: list[Asset]) -> tuple[NewsParams, np.ndarray]:
    """The news factors [market, one per equity, BTC, 10y yield] and the asset × factor loadings.
    Equity i loads β̃_i = β_i / Σ_j w_j β_j on the market factor (so the index loads exactly 1 at
    the starting weights) and 1 on its own factor; BTC 1 on its own; UST10 −duration on the yield."""
    nw = NewsConfig.from_params(p)
    q = MarketParams.from_params(p)
    days = RunParams.from_params(p).trading_days_per_year
    if abs(nw.btc_equity_loading) + nw.btc_equity_downside >= 1.0:
        raise InputError(f"btc_equity_loading {nw.btc_equity_loading:g} ± btc_equity_downside "
                         f"{nw.btc_equity_downside:g} leaves (−1, 1)", key="news.btc_equity_downside",
                         allowed="|news.btc_equity_loading| + news.btc_equity_downside < 1")
    eq = [a for a in assets if a.kind == EQUITY]
    ne = len(eq)
    cap = np.array([a.cap0 for a in eq])
    beta = np.array([a.beta for a in eq])
    beta_n = beta / ((cap / cap.sum()) @ beta)
    K = max(len(nw.market_timescales_days), len(nw.idio_timescales_days), len(nw.btc_timescales_days),
            len(nw.ust_timescales_days))
    tau = ([_pad(nw.market_timescales_days, K, 1.0)] + [_pad(nw.idio_timescales_days, K, 1.0)] * ne
           + [_pad(nw.btc_timescales_days, K, 1.0), _pad(nw.ust_timescales_days, K, 1.0)])
    s = ([_pad(nw.market_logvol_sd, K, 0.0)] + [_pad(nw.idio_logvol_sd, K, 0.0)] * ne
         + [_pad(nw.btc_logvol_sd, K, 0.0), _pad(nw.ust_logvol_sd, K, 0.0)])
    rho = ([_pad(nw.market_leverage, K, 0.0)] + [_pad(nw.idio_leverage, K, 0.0)] * ne + [[0.0] * K] * 2)
    sigma = np.concatenate([[nw.market_sigma_annual / math.sqrt(days)], [a.sigma for a in eq],
                            [nw.btc_sigma_annual / math.sqrt(days), q.bond_yield_sigma]])
    params = NewsParams.make(
        ["market"] + [f"idio_{a.name}" for a in eq] + ["btc", "ust10_yield"], sigma=sigma, tau=tau, s=s,
        rho=rho, b=[nw.market_feedback] + [0.0] * (ne + 2),
        h=[nw.market_tail] + [nw.idio_tail] * ne + [nw.btc_tail, 0.0],
        kmu=[nw.market_mean_slope] + [0.0] * (ne + 2),
        cap=[nw.market_rel_cap] + [nw.idio_rel_cap] * ne + [nw.btc_rel_cap, nw.ust_rel_cap],
        floor=[nw.market_rel_floor] + [nw.idio_rel_floor] * ne + [nw.btc_rel_floor, nw.ust_rel_floor],
        parent=[-1] + [0] * ne + [0, -1], psi=[0.0] + [nw.idio_market_exponent] * ne + [0.0, 0.0],
        lam=[0.0] * (1 + ne) + [nw.btc_equity_loading, 0.0],
        lam_asym=[0.0] * (1 + ne) + [nw.btc_equity_downside, 0.0],
        revert=[0.0] * (2 + ne) + [math.log(2.0) / nw.ust_news_half_life_days])
    n = len(assets)
    rows = [(i, 0, float(beta_n[i])) for i in range(ne)] + [(i, 1 + i, 1.0) for i in range(ne)]
    rows += [(ne, 1 + ne, 1.0), (ne + 1, 2 + ne, -q.bond_duration)]
    return params, loading_matrix(n, rows, params.F)


def build_news_process(p: Params, assets: list[Asset], ensemble: int = 1) -> tuple[NewsParams, np.ndarray, NewsProcess]:
    """The news factors, their loadings and the process on `ensemble` members, with the scenarios'
    news impact and started at the calm initial vol (the market's, and `checks.news_only`'s)."""
    params, L = build_news(p, assets)
    process = NewsProcess(params, ensemble)
    process.exo_variance_impact = NewsConfig.from_params(p).exogenous_variance_impact
    nominal = params.sigma[0] * math.sqrt(RunParams.from_params(p).trading_days_per_year)
    process.start_at(0, VolParams.from_params(p).initial_annual_vol / nominal)
    return params, L, process


def build_impact(p: Params, assets: list[Asset]) -> ImpactParams:
    q = MarketParams.from_params(p)
    eq_cap = sum(a.cap0 for a in assets if a.kind == EQUITY)
    R = {EQUITY: q.transient_ratio, CRYPTO: q.btc_transient_ratio, BOND: q.bond_transient_ratio}
    qc = {EQUITY: q.crossover_equity_bn / eq_cap, CRYPTO: q.crossover_btc_bn / q.btc_cap,
          BOND: q.crossover_bond_bn / q.bond_cap}
    w = np.asarray(q.propagator_weights, float)
    if len(w) != len(q.propagator_days):
        raise InputError(f"{len(w)} propagator weights for {len(q.propagator_days)} time scales",
                         key="market.propagator_weights", allowed="one weight per time scale")
    return ImpactParams(M=np.array([a.multiplier for a in assets]), R=np.array([R[a.kind] for a in assets]),
                        qc=np.array([qc[a.kind] for a in assets]), tau_liq=q.liquidity_memory_days,
                        tau_prop=np.asarray(q.propagator_days, float), w_prop=w / w.sum(),
                        gamma=q.depth_vol_exponent, g_min=q.depth_factor_min, g_max=q.depth_factor_max)


class Market:
    """Prices, values, the news process, the impact kernel and the clearing routine. All state is
    numpy arrays indexed by primitive asset; instrument index `n` (one past the last asset) is SPX."""

    def __init__(self, p: Params, rng: np.random.Generator):
        q = self.q = MarketParams.from_params(p)
        run = RunParams.from_params(p)
        self.rng = rng
        self.ann = run.trading_days_per_year
        self.assets = build_assets(p)
        self.names = [a.name for a in self.assets]
        self.n = len(self.assets)
        self.idx = {name: i for i, name in enumerate(self.names)}
        self.SPX = self.n                                  # instrument index of the index
        self.instruments = self.names + ["SPX"]
        self.n_instr = self.n + 1
        self.is_equity = np.array([a.kind == EQUITY for a in self.assets])
        self.equity_idx = np.flatnonzero(self.is_equity)
        self._eq = slice(0, self.equity_idx.size)          # the equities lead (build_assets): a view, not a copy
        if not np.array_equal(self.equity_idx, np.arange(self.equity_idx.size)):
            raise ValueError("build_assets must list the equities first (Market reads them as a slice)")
        self.btc = self.idx["BTC"]
        self.ust10 = self.idx["UST10"]
        self.risk_asset = self.is_equity.copy()            # equities and BTC (not the 10-year)
        self.risk_asset[self.btc] = True

        self.cap0 = np.array([a.cap0 for a in self.assets], dtype=float)
        self.M = np.array([a.multiplier for a in self.assets], dtype=float)
        self.kappa = np.array([a.kappa for a in self.assets], dtype=float)
        self.sigma = np.array([a.sigma for a in self.assets], dtype=float)
        self.max_frac = q.max_flow_fraction
        self.max_move = q.max_round_log_move
        self.news_fraction = q.news_fraction
        self.bond_duration = q.bond_duration
        self.y0 = q.ust10_yield

        # the news process and the impact kernel (ensemble axis of size 1)
        self.news_params, self.L, self.news_process = build_news_process(p, self.assets)
        self.impact_params = build_impact(p, self.assets)
        self.impact = ImpactKernel(self.impact_params, 1, self.n)
        self._LT2 = self.L.T ** 2                          # constant: squared loadings (asset × factor)ᵀ
        self._L_eq = self.L[self.is_equity]                # constant: the equities' loadings
        self.sigma_ref = np.sqrt((self.news_params.sigma ** 2) @ self._LT2)   # nominal news σ per asset
        # depth is normal at this σ: equities at the reference vol, BTC and UST10 at their nominal σ̄
        self.depth_ref = self.sigma_ref.copy()
        self.depth_ref[self.is_equity] *= q.depth_reference_annual_vol / (self.news_params.sigma[0] * math.sqrt(self.ann))
        v = VolParams.from_params(p)

        # prices are normalised to 1 at the start: P = cap / cap0 (shares constant)
        self.logp = np.zeros(self.n)
        self.logv = np.zeros(self.n)                      # log value: fundamentals + cumulative news
        self.fundamental_logv = np.zeros(self.n)          # the blocks' part (set_log_values)
        self.steady_premium = np.zeros(self.n)            # log premium the steady flows hold up (start_at_steady_flows)
        self.news = np.zeros(self.n)                      # pending news for today's round 0 (log)
        self.spx_news_today = 0.0                         # the index's part of today's round-0 news (log)
        self.shock_news = np.zeros(self.n)                # the part of `news` the scenario's shocks gave today
        self._news_in_value = np.zeros(self.n)            # the part of `news` already in logv
        self.noise_scale = np.ones(self.n)                # vol_spike shocks scale today's news
        self.spx0 = run.spx_level
        self._cap0_eq_total = self.cap0[self._eq].sum()   # constant: summed once, not every round
        self._n_eq = self.equity_idx.size
        self._ones_1n = np.ones((1, self.n))              # the kernel's placeholder depth at the open (read only)
        self.cap = self.cap0.copy()
        self.w_spx = np.zeros(self.n)
        self._update_caps()
        self.open_logp = self.logp.copy()
        self.open_spx = self.spx
        # realised-vol state per asset (EWMA of squared returns, daily variance): what traders read
        self.lam_fast = v.ewma_lambda_fast
        self.var_fast = self.sigma_ref ** 2
        self.var_fast[self.is_equity] = v.initial_annual_vol ** 2 / self.ann
        self.var_fast[self.btc] = v.btc_initial_annual_vol ** 2 / self.ann
        self.ref_vars = self.sigma_ref ** 2
        self.depth = np.ones(self.n)
        self.news_sigma = self.sigma_ref.copy()           # today's news σ per asset
        self.spx_news_sigma = float(self._spx_sigma())
        self.flows_today = np.zeros(self.n)               # $ per primitive asset, all rounds
        self.last_returns = np.zeros(self.n)
        self._decay_today = np.zeros(self.n)
        self.capped_events: list[tuple[str, float]] = []
        self.news_jumps: list[tuple[str, float]] = []     # news moves beyond max_round_log_move (not a guard)
        self.guard_events = 0                             # guards that bound in this run
        # `clear` on fused kernels when agents/jit.py says so (`_fast.py`)
        self._k = jit.if_on(_fast_kernels)
        self._zeros_n = np.zeros(self.n)                  # round 0's noise when there is none (read only)
        self._zeros_n.flags.writeable = False

    # ----- derived quantities -------------------------------------------------------------
    def _update_caps(self) -> None:
        self.price = np.exp(self.logp)
        self.cap = self.cap0 * self.price
        eq_cap = self.cap[self._eq]
        self.eq_cap_total = total = eq_cap.sum()           # the equity universe's cap (USD bn)
        np.divide(eq_cap, total, out=self.w_spx[self._eq])  # the other entries stay 0
        self.spx = self.spx0 * total / self._cap0_eq_total
        # the execution prices, built once per price change (read ~11 times a day); read-only, so a
        # caller that wants to change them must copy
        ip = self._instr_prices = np.empty(self.n_instr)   # a new array: callers keep the old one
        ip[:self.n] = self.price
        ip[self.n] = self.spx
        ip.flags.writeable = False

    @property
    def ust10_yield(self) -> float:
        return self.y0 - self.logp[self.ust10] / self.bond_duration

    @property
    def x(self) -> np.ndarray:
        """Transient impact still in prices, per asset (log)."""
        return self.impact.transient[0]

    def instrument_prices(self) -> np.ndarray:
        """Execution prices per instrument (primitive prices normalised to 1 at t=0; SPX level); a
        read-only array, the same one until the prices next change."""
        return self._instr_prices

    def spx_intraday_return(self) -> float:
        return math.log(self.spx / self.open_spx)

    def _spx_loadings(self) -> np.ndarray:
        return self.w_spx[self._eq] @ self._L_eq

    def _spx_sigma(self) -> float:
        sf = self.news_process.sigma_today()[0]
        return float(np.sqrt(((self._spx_loadings() * sf) ** 2).sum()))

    def spx_variance_forecast(self) -> dict[int, float]:
        """Expected mean daily news variance of the index over the next 21 and 63 days."""
        return self.news_process.forecast_weighted(self._spx_loadings() ** 2)

    # ----- the value anchor ---------------------------------------------------------------
    def set_log_values(self, new_logv: np.ndarray) -> None:
        """Move fundamental values (the blocks' log values, without the news process's part);
        `news_fraction` of each change is priced at today's round 0 as news (no trade); the rest is
        left to the value anchor κ."""
        change = np.asarray(new_logv, dtype=float) - self.fundamental_logv
        self.fundamental_logv[:] = new_logv
        self.logv += change
        delta = self.news_fraction * change
        self.news += delta
        self._news_in_value += delta

    def start_at_steady_flows(self, annual_bn: np.ndarray) -> None:
        """Start where flows that run every year (buybacks) have already been running: the starting
        prices hold the premium such a flow keeps up against the value anchor. Its permanent impact a
        day, M·F/C, equals the anchor's pull κ·π, so value starts π below the observed price:

            π = M · (F_year / days a year) / (C · κ)

        (Gabaix & Koijen's multiplier against the slow value investors; MODEL.md §2); the impact
        kernel's liquidity memory and transient start where that flow keeps them. Started at
        P = V instead, the flow first builds the premium — about +5 points of the S&P's first year
        at $1T of buybacks a year (docs/validation.md, "The first year"). A flow that stops (a ban)
        lets the price relax to V; agents that read the flow-induced discount read it net of π
        (`flow_discount`), so at the start they stand where they stood without it."""
        daily = np.asarray(annual_bn, dtype=float) / self.ann
        self.steady_premium = self.impact_params.M * daily / self.cap0 / self.kappa
        self.logv -= self.steady_premium
        # and the impact kernel's memory and transient as that flow leaves them: without it the
        # transient's own steady level (≈ 2% of REST at $830bn a year) builds in the first weeks
        self.impact.start_at_steady_flow(daily[None, :], self.cap0[None, :])

    def flow_discount(self) -> np.ndarray:
        """ln V − ln P per asset beyond the steady flows' premium: the discount today's flows, not
        the flows running every year, put there (0 at the start)."""
        return self.logv - self.logp + self.steady_premium

    # ----- the day --------------------------------------------------------------------------
    def begin_day(self) -> None:
        self.open_logp = self.logp.copy()
        self.open_spx = self.spx
        self.flows_today[:] = 0.0
        self.news_process.rel_today()
        self._decay_today = self.impact.begin_day(self._ones_1n)[0]   # depth set in draw_noise

    def draw_noise(self) -> np.ndarray:
        """Today's news log returns per asset. Always `news_process.n_draws` normals from the market
        stream (common random numbers: the draw count never depends on which agents are on). Sets
        today's depth from the news σ (after the day's shocks have scaled it)."""
        z = self.rng.standard_normal(self.news_process.n_draws)
        sf = self.news_process.sigma_today()[0]
        sig = np.sqrt((sf ** 2) @ self._LT2) * self.noise_scale
        self.news_sigma = sig
        # the mean written out as np.mean computes it (sum / count): the same bits without its wrapper
        self.spx_news_sigma = float(np.sqrt(((self._spx_loadings() * sf) ** 2).sum())
                                    * (self.noise_scale[self._eq].sum() / self._n_eq))
        ip = self.impact_params
        # depth thins with the higher of the news σ and the realised σ (what the day's flows met so
        # far): within a day g is fixed and ≤ g_max, so the round gain bound is untouched
        vol = np.maximum(sig, np.sqrt(self.var_fast))
        self.depth = clip((vol / self.depth_ref) ** ip.gamma, ip.g_min, ip.g_max)
        self.impact.g[0] = self.depth
        # the news a scenario's shocks gave today (priced at round 0 with the rest of `self.news`) moves
        # the volatility state as news of its size would. Only the shocks' part: the policy channels'
        # news has its own volatility response (the uncertainty channel), and the firms' repricing by
        # the blocks depends on the agents, so feeding it would make the news depend on which classes
        # are on (common random numbers, tests/integration/test_determinism.py)
        sn = self.shock_news
        z_exo = self.news_process.exogenous_shocks(sn[None, :], self.L) if sn.any() else None
        r = self.news_process.step(z[None, :], z_exo)[0] @ self.L.T
        return r * self.noise_scale

    def to_primitive(self, flows_instr: np.ndarray) -> np.ndarray:
        """Split instrument flows into primitive-asset flows (SPX by cap weight)."""
        return flows_instr[: self.n] + flows_instr[self.SPX] * self.w_spx

    def _guard(self, name: str, amount: float) -> None:
        self.capped_events.append((name, amount))
        self.guard_events += 1

    def _flow_guard(self, F: np.ndarray, over: np.ndarray) -> np.ndarray:
        """The flows `over` the share-of-cap guard, logged and cut to it."""
        for i in np.flatnonzero(over):
            self._guard(self.names[i], float(F[i]))
        return np.where(over, np.sign(F) * self.max_frac * self.cap, F)

    def _move_guard(self, dlogp: np.ndarray, big: np.ndarray) -> np.ndarray:
        """The moves `big`ger than the round guard, logged and clipped to it."""
        for i in np.flatnonzero(big):
            self._guard(self.names[i], float(dlogp[i]))
        return np.clip(dlogp, -self.max_move, self.max_move)

    def clear(self, flows_instr: np.ndarray, round_no: int, noise: np.ndarray | None = None) -> np.ndarray:
        """Clear one round: apply the net flow per instrument, return the log-price change per
        primitive asset. Round 0 also carries the news, the overnight decay of the transient and
        the value anchor."""
        if self._k is not None:
            return self._clear_kernels(flows_instr, round_no, noise)
        F = self.to_primitive(flows_instr)
        frac = F / self.cap
        over = np.abs(frac) > self.max_frac
        if over.any():                                      # guard: logged, run marked unstable
            F = self._flow_guard(F, over)
        self.flows_today += F
        dlogp = self.impact.clear(F[None, :], self.cap[None, :])[0]
        if round_no == 0:
            dlogp = dlogp + self._decay_today + self.kappa * (self.logv - self._news_in_value - self.logp)
        big = np.abs(dlogp) > self.max_move
        if big.any():                                        # guard: logged, run marked unstable
            dlogp = self._move_guard(dlogp, big)
        if round_no == 0:
            # news is exogenous: priced as given (not clipped; a jump past the guard is reported)
            news = self.news + (noise if noise is not None else 0.0)
            jumps = np.abs(news) > self.max_move
            if jumps.any():                                  # rare: skip flatnonzero's cost on quiet days
                for i in np.flatnonzero(jumps):
                    self.news_jumps.append((self.names[i], float(news[i])))
            self.spx_news_today = float(self.w_spx @ news)   # at the open's weights, as the kernel path
            dlogp = dlogp + news
            self.logv += news - self._news_in_value          # news moves value and price together
            self.news[:] = 0.0
            self.shock_news[:] = 0.0
            self._news_in_value[:] = 0.0
            self._decay_today[:] = 0.0
        self.logp += dlogp
        self._update_caps()
        return dlogp

    def _clear_kernels(self, flows_instr: np.ndarray, round_no: int, noise: np.ndarray | None) -> np.ndarray:
        """`clear` on the fused kernels (`_fast.py`): the same operations in the same order; a guard
        that binds or a news jump takes the numpy lines of `clear` for its events."""
        k = self._k
        F = np.empty(self.n)
        if k.clear_flows(flows_instr, self.SPX, self.w_spx, self.cap, self.max_frac, F):
            F = self._flow_guard(F, np.abs(F / self.cap) > self.max_frac)
        self.flows_today += F
        dlogp = self.impact.clear(F[None, :], self.cap[None, :])[0]
        if round_no == 0:
            out = np.empty(self.n)
            big = k.clear_round0_moves(dlogp, self._decay_today, self.kappa, self.logv, self._news_in_value,
                                       self.logp, self.max_move, out)
            dlogp = out
        else:
            big = k.any_beyond(dlogp, self.max_move)
        if big:
            dlogp = self._move_guard(dlogp, np.abs(dlogp) > self.max_move)
        if round_no == 0:
            news = np.empty(self.n)
            if k.clear_round0_news(self.news, self._zeros_n if noise is None else noise, self.max_move, news):
                for i in np.flatnonzero(np.abs(news) > self.max_move):
                    self.news_jumps.append((self.names[i], float(news[i])))
            self.spx_news_today = float(self.w_spx @ news)
            k.clear_round0_apply(dlogp, news, self.news, self.shock_news, self._news_in_value, self._decay_today,
                                 self.logv, self.logp)
        else:
            self.logp += dlogp
        self._update_caps()
        return dlogp

    def end_day(self) -> np.ndarray:
        """Close the day: update realised-vol state; return today's log returns."""
        r = self.logp - self.open_logp
        self.last_returns = r
        self.var_fast = self.lam_fast * self.var_fast + (1.0 - self.lam_fast) * r * r
        return r
