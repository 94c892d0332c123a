"""Assets, inelastic price formation and clearing in rounds (MODEL.md §2).

For a primitive asset a on day t the log return is::

    r_a,t = M_a · F_a,t / Cap_a            permanent flow impact (Gabaix & Koijen)
          + x_a,t − x_a,t−1                transient impact: x jumps by R·M_a·g_a·F/Cap and decays
                                           with a half-life of days (exponential propagator)
          + κ_a (ln V_a − ln P_a)          slow elastic value investors
          + news_a,t                       share of today's change in value priced at once
          + σ_a ε_a,t                      i.i.d. Gaussian noise of other traders

g_a = (σ̂_a/σ_ref)^γ thins depth when realised vol is high (the square-root law's σ-scaling).
SPX is not traded directly: index flows are split across constituents by cap weight, and the
index level is the cap-weighted sum. Within a day, round 0 clears all voluntary orders with the
κ, news and noise terms; rounds 1, 2, … clear forced orders with impact only.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from ..config import Params, ParamView, RunParams
from .volatility import VolParams

log = logging.getLogger(__name__)

EQUITY, CRYPTO, BOND = "equity", "crypto", "bond"


@dataclass(frozen=True)
class MarketParams(ParamView, section="market"):
    """Price formation (interlock/data/params/market.toml, [market])."""

    equity_multiplier: float           # $ of value per $ of flow: permanent impact M of equities
    btc_multiplier: float              # $ of value per $ of flow, BTC
    bond_multiplier: float             # $ of value per $ of flow, UST10
    transient_ratio: float             # transient / permanent impact R
    transient_half_life_days: float    # days: decay of the transient impact state x
    depth_vol_exponent: float          # γ in the depth factor g = (σ̂/σ_ref)^γ
    depth_factor_max: float            # x: cap on g (liquidity thinning)
    max_flow_fraction: float           # share of cap per round: larger flows are capped and logged
    max_round_log_move: float          # log return per round: larger moves are clipped and logged
    value_half_life_equity_days: float  # days: half-life of the value reversion κ, equities
    value_half_life_btc_days: float    # days: the same for BTC
    value_half_life_bond_days: float   # days: the same for UST10
    news_fraction: float               # share of a change in value priced at the next round 0
    market_factor_sigma: float         # daily log-return s.d. of the common equity noise factor
    btc_sigma: float                   # daily log-return s.d. of BTC's noise
    bond_yield_sigma: float            # daily s.d. of the 10y yield's noise (decimal)
    bond_duration: float               # years: UST10 log-price change per unit yield change
    bond_cap: float                    # USD bn (10y-equivalent float)
    btc_price: float                   # USD per BTC at day 0
    btc_cap: float                     # USD bn at day 0
    ust10_yield: float                 # decimal: the 10y yield at day 0


@dataclass(frozen=True)
class AssetParams(ParamView, section="assets", keyed=True):
    """One equity of the universe (interlock/data/params/market.toml, [assets.<ticker>])."""

    cap: float                         # USD bn at day 0
    sigma: float                       # daily s.d. of its idiosyncratic noise
    beta: float                        # loading on the market noise factor


@dataclass(frozen=True)
class Asset:
    """One primitive (directly traded) asset."""

    name: str
    kind: str
    cap0: float          # USD bn
    multiplier: float    # permanent impact M
    kappa: float         # daily value-reversion rate
    sigma: float         # daily s.d. of idiosyncratic i.i.d. noise
    beta: float          # loading on the market noise factor (equities)


def build_assets(p: Params) -> list[Asset]:
    """The primitive assets: listed firms + REST (equities), BTC, UST10, in this fixed order."""
    q = MarketParams.from_params(p)
    hl = lambda days: math.log(2.0) / days  # noqa: E731 - half-life → daily rate
    eq_k = hl(q.value_half_life_equity_days)
    assets = []
    for name in p.names_under("assets"):
        a = AssetParams.from_params(p, name)
        assets.append(Asset(name, EQUITY, a.cap, q.equity_multiplier, eq_k, a.sigma, a.beta))
    assets.append(Asset("BTC", CRYPTO, q.btc_cap, q.btc_multiplier, hl(q.value_half_life_btc_days),
                        q.btc_sigma, 0.0))
    assets.append(Asset("UST10", BOND, q.bond_cap, q.bond_multiplier, hl(q.value_half_life_bond_days),
                        q.bond_yield_sigma * q.bond_duration, 0.0))
    return assets


class Market:
    """Prices, values, transient impact and the clearing routine. All state is numpy arrays
    indexed by primitive asset; instrument index `n` (one past the last asset) is SPX."""

    def __init__(self, p: Params, rng: np.random.Generator):
        q = self.q = MarketParams.from_params(p)
        v = VolParams.from_params(p)
        run = RunParams.from_params(p)
        self.rng = rng
        self.assets = build_assets(p)
        self.names = [a.name for a in self.assets]
        self.n = len(self.assets)
        self.idx = {name: i for i, name in enumerate(self.names)}
        self.SPX = self.n                                  # instrument index of the index
        self.instruments = self.names + ["SPX"]
        self.n_instr = self.n + 1
        self.is_equity = np.array([a.kind == EQUITY for a in self.assets])
        self.equity_idx = np.flatnonzero(self.is_equity)
        self.btc = self.idx["BTC"]
        self.ust10 = self.idx["UST10"]

        self.cap0 = np.array([a.cap0 for a in self.assets], dtype=float)
        self.M = np.array([a.multiplier for a in self.assets], dtype=float)
        self.kappa = np.array([a.kappa for a in self.assets], dtype=float)
        self.sigma = np.array([a.sigma for a in self.assets], dtype=float)
        self.beta = np.array([a.beta for a in self.assets], dtype=float)
        self.transient_ratio = q.transient_ratio
        self.decay = 0.5 ** (1.0 / q.transient_half_life_days)
        self.depth_exp = q.depth_vol_exponent
        self.depth_max = q.depth_factor_max
        self.max_frac = q.max_flow_fraction
        self.max_move = q.max_round_log_move
        self.news_fraction = q.news_fraction
        self.factor_sigma = q.market_factor_sigma
        self.bond_duration = q.bond_duration
        self.y0 = q.ust10_yield

        # prices are normalised to 1 at the start: P = cap / cap0 (shares constant)
        self.logp = np.zeros(self.n)
        self.logv = np.zeros(self.n)
        self.x = np.zeros(self.n)                         # transient impact state (log)
        self.news = np.zeros(self.n)                      # pending news for today's round 0
        self.noise_scale = np.ones(self.n)                # vol_spike shocks scale noise
        self.spx0 = run.spx_level
        self.cap = self.cap0.copy()
        self.w_spx = np.zeros(self.n)
        self._update_caps()
        self.open_logp = self.logp.copy()
        self.open_spx = self.spx
        # realised-vol state per asset (EWMA of squared returns, daily variance), for depth
        iv = v.initial_annual_vol / math.sqrt(run.trading_days_per_year)
        ref_var = (v.reference_annual_vol / math.sqrt(run.trading_days_per_year)) ** 2
        self.var_fast = np.full(self.n, iv * iv)
        btc_iv = v.btc_initial_annual_vol / math.sqrt(run.trading_days_per_year)
        self.var_fast[self.btc] = btc_iv ** 2
        self.ref_vars = np.full(self.n, ref_var)
        self.ref_vars[self.btc] = btc_iv ** 2               # BTC depth is 'normal' at its own vol
        self.ref_vars[self.ust10] = (q.bond_yield_sigma * self.bond_duration) ** 2
        self.var_fast[self.ust10] = self.ref_vars[self.ust10]
        self.lam_fast = v.ewma_lambda_fast
        self.depth = np.ones(self.n)
        self.flows_today = np.zeros(self.n)               # $ per primitive asset, all rounds
        self.last_returns = np.zeros(self.n)
        self.capped_events: list[tuple[str, float]] = []
        # Correlated equity noise: market factor + idiosyncratic, i.i.d. Gaussian over days.
        self._chol_beta = np.where(self.is_equity, self.beta, 0.0)

    # ----- derived quantities -------------------------------------------------------------
    def _update_caps(self) -> None:
        self.price = np.exp(self.logp)
        self.cap = self.cap0 * self.price
        eq_cap = self.cap[self.is_equity]
        total = eq_cap.sum()
        self.w_spx[:] = 0.0
        self.w_spx[self.is_equity] = eq_cap / total
        self.spx = self.spx0 * total / self.cap0[self.is_equity].sum()

    @property
    def ust10_yield(self) -> float:
        return self.y0 - self.logp[self.ust10] / self.bond_duration

    def instrument_prices(self) -> np.ndarray:
        """Execution prices per instrument (primitive prices normalised to 1 at t=0; SPX level)."""
        return np.append(self.price, self.spx)

    def spx_intraday_return(self) -> float:
        return math.log(self.spx / self.open_spx)

    # ----- the value anchor ---------------------------------------------------------------
    def set_log_values(self, new_logv: np.ndarray) -> None:
        """Move fundamental values; `news_fraction` of each change is priced at today's round 0."""
        self.news += self.news_fraction * (new_logv - self.logv)
        self.logv[:] = new_logv

    # ----- the day --------------------------------------------------------------------------
    def begin_day(self) -> None:
        self.open_logp = self.logp.copy()
        self.open_spx = self.spx
        self.flows_today[:] = 0.0
        sd = np.sqrt(self.var_fast / self.ref_vars)
        self.depth = np.minimum(sd ** self.depth_exp, self.depth_max)

    def draw_noise(self) -> np.ndarray:
        """Today's exogenous noise: always n+1 normals from the market stream (common random
        numbers: the draw count never depends on which agents are switched on)."""
        z = self.rng.standard_normal(self.n + 1)
        eps = self.sigma * z[: self.n] + self._chol_beta * self.factor_sigma * z[self.n]
        return eps * self.noise_scale

    def to_primitive(self, flows_instr: np.ndarray) -> np.ndarray:
        """Split instrument flows into primitive-asset flows (SPX by cap weight)."""
        return flows_instr[: self.n] + flows_instr[self.SPX] * self.w_spx

    def clear(self, flows_instr: np.ndarray, round_no: int, noise: np.ndarray | None = None,
              permanent_flows: np.ndarray | None = None) -> np.ndarray:
        """Clear one round: apply the net flow per instrument, return the log-price change per
        primitive asset. Round 0 also carries value reversion, news, transient decay and noise.

        `permanent_flows` (per instrument) move prices by the permanent multiplier only: the
        discretionary traders' demand is calibrated in return space (Franke & Westerhoff), where
        the fundamentalists' own reversion already plays the part of impact decay."""
        F = self.to_primitive(flows_instr)
        Fp = self.to_primitive(permanent_flows) if permanent_flows is not None else np.zeros(self.n)
        frac = F / self.cap
        frac_p = Fp / self.cap
        over = np.abs(frac + frac_p) > self.max_frac
        if over.any():
            for i in np.flatnonzero(over):
                self.capped_events.append((self.names[i], float(F[i] + Fp[i])))
            scale = np.where(over, self.max_frac / np.maximum(np.abs(frac + frac_p), 1e-300), 1.0)
            frac = frac * scale
            frac_p = frac_p * scale
        self.flows_today += F + Fp
        perm = self.M * (frac + frac_p)
        trans = self.transient_ratio * self.M * self.depth * frac
        dlogp = perm + trans
        self.x += trans
        if round_no == 0:
            decay = (self.decay - 1.0) * (self.x - trans)       # yesterday's transient fades
            self.x += decay
            dlogp = dlogp + decay + self.kappa * (self.logv - self.logp) + self.news
            if noise is not None:
                dlogp = dlogp + noise
            self.news[:] = 0.0
        big = np.abs(dlogp) > self.max_move
        if big.any():                                        # numerical guard, logged as an event
            for i in np.flatnonzero(big):
                self.capped_events.append((self.names[i], float(dlogp[i])))
            dlogp = np.clip(dlogp, -self.max_move, self.max_move)
        self.logp += dlogp
        self._update_caps()
        return dlogp

    def end_day(self) -> np.ndarray:
        """Close the day: update realised-vol state; return today's log returns."""
        r = self.logp - self.open_logp
        self.last_returns = r
        self.var_fast = self.lam_fast * self.var_fast + (1.0 - self.lam_fast) * r * r
        return r
