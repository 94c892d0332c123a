"""Discretionary traders that switch between fundamentalist and chartist views with herding
(MODEL.md §3.8): Franke & Westerhoff (2012) 'structural stochastic volatility', DCA-HPM.

Per market (the S&P index and, optionally, BTC), with p the log price and p* the log value:
    d_f = φ (p* − p) + σ_f ε_f          fundamentalists
    d_c = χ (p − p_prev) + σ_c ε_c      chartists          (ε i.i.d. N(0,1))
    D   = n_f d_f + n_c d_c;  the population trades the dollar flow that moves the price by μ·D
    a   = α_0 + α_n (n_f − n_c) + α_p (p − p*)² + α_r z,   z = today's return / recent daily vol
Switching follows FW's transition-probability approach (TPA) in a finite population of N traders:
each day Binomial(N_c, min(1, ν e^{a})) chartists turn fundamentalist and Binomial(N_f,
min(1, ν e^{−a})) fundamentalists turn chartist. Herding makes both regimes self-reinforcing and
the finite-N draws make the market switch between a calm fundamentalist regime and a turbulent
chartist one at random times: structural stochastic volatility, from i.i.d. noise only.
The α_r z term (not in FW) makes a sell-off, measured against recent volatility, push traders from
the value anchor toward trend-following, and a rally pull them back: falls raise the next days'
volatility more than rises do — the leverage effect of the S&P 500 (Black 1976; Bouchaud, Matacz
& Potters 2001). z uses the EWMA variance that already includes today's return, so |z| ≤ 1/√(1−λ).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..config import ParamView
from .base import Member, Population

# exp() overflow guard on the switching index: ν·e^30 ≥ 1 for any ν above 1e-13, so the clip only
# ever replaces a certain switch by a certain switch (and a vanishing probability by another)
MAX_SWITCHING_INDEX = 30.0


@dataclass(frozen=True)
class DiscretionaryParams(ParamView, section="discretionary"):
    """What the discretionary traders read (interlock/data/params/funds.toml, [discretionary];
    Franke & Westerhoff 2012, DCA-HPM)."""

    mu: float                          # return per unit demand (the market maker's reaction)
    phi: float                         # φ: fundamentalists' reaction to the value gap
    chi: float                         # χ: chartists' reaction to the last return
    sigma_f: float                     # s.d. of a fundamentalist's demand noise
    sigma_c: float                     # s.d. of a chartist's demand noise
    alpha_0: float                     # predisposition toward fundamentalism
    alpha_n: float                     # herding: weight on the majority n_f − n_c
    alpha_p: float                     # weight on the squared misalignment (p − p*)²
    alpha_r: float                     # per unit of today's return / recent daily vol (leverage effect)
    beta: float                        # intensity of choice
    nu: float                          # switching rate per day
    n_traders: int                     # decision units of the finite population
    initial_fundamentalist_share: float  # n_f at day 0
    btc_enabled: bool                  # a second population trades BTC
    btc_scale: float                   # x: BTC demand relative to the S&P's


class DiscretionaryDesk(Member):
    """The discretionary population of one market (one Mesa agent per market)."""

    @property
    def market_name(self) -> str:
        return self.population.market_names[self.row]

    @property
    def chartist_share(self) -> float:
        return float(1.0 - self.population.n_f[self.row])


class DiscretionaryBook(Population):
    agent_class = "discretionary"
    member_type = DiscretionaryDesk
    transient_impact = False     # FW dynamics are calibrated in return space

    def __init__(self, model, rng):
        q = self.q = DiscretionaryParams.from_params(model.params)
        self.market_names = ["SPX"] + (["BTC"] if q.btc_enabled else [])
        super().__init__(model, len(self.market_names), rng)
        m = self.market
        self.cols = np.array([m.SPX] + ([m.btc] if q.btc_enabled else []))
        self.scale = np.array([1.0] + ([q.btc_scale] if q.btc_enabled else []))
        self.n_traders = q.n_traders
        self.n_f = np.full(self.n, q.initial_fundamentalist_share)
        self.p_prev = self.p_close = self._levels()[0]

    def _levels(self) -> tuple[np.ndarray, np.ndarray]:
        """(log price, log value) per market."""
        m = self.market
        eq = m.equity_idx
        w0 = m.cap0[eq] / m.cap0[eq].sum()
        p_spx = math.log(m.spx / m.spx0)
        v_spx = math.log(float(w0 @ np.exp(m.logv[eq])))
        p = [p_spx] + ([m.logp[m.btc]] if self.n > 1 else [])
        v = [v_spx] + ([m.logv[m.btc]] if self.n > 1 else [])
        return np.array(p), np.array(v)

    def voluntary_orders(self) -> np.ndarray:
        q = self.q
        m = self.market
        p, v = self._levels()
        eps = self.rng.standard_normal((2, self.n))
        d_f = q.phi * (v - p) + q.sigma_f * eps[0]
        d_c = q.chi * (p - self.p_prev) + q.sigma_c * eps[1]
        demand = self.n_f * d_f + (1.0 - self.n_f) * d_c
        target_return = q.mu * demand * self.scale
        idx = np.where(self.cols == m.SPX, m.equity_idx[-1], self.cols)  # impact params of REST
        cap = np.where(self.cols == m.SPX, m.cap[m.is_equity].sum(), m.cap[np.minimum(self.cols, m.n - 1)])
        # FW demand is calibrated in return space (μ = the market maker's price reaction): the
        # population's dollar flow is the one that moves the price by μ·D through permanent impact
        impact_per_frac = m.M[idx]
        orders = np.zeros((self.n, m.n_instr))
        orders[np.arange(self.n), self.cols] = target_return / np.maximum(impact_per_frac, 1e-9) * cap
        return orders

    def end_day(self, returns: np.ndarray) -> None:
        q = self.q
        p, v = self._levels()
        m = self.market
        var = np.array([m.var_fast[m.equity_idx[-1]]] + ([m.var_fast[m.btc]] if self.n > 1 else []))
        z = (p - self.p_close) / np.sqrt(var)       # today's move in units of recent daily vol
        a = (q.alpha_0 + q.alpha_n * (2.0 * self.n_f - 1.0) + q.alpha_p * (p - v) ** 2
             + q.alpha_r * z)
        a = np.clip(q.beta * a, -MAX_SWITCHING_INDEX, MAX_SWITCHING_INDEX)
        n = self.n_traders
        n_f = np.rint(self.n_f * n).astype(np.int64)
        to_f = self.rng.binomial(n - n_f, np.minimum(1.0, q.nu * np.exp(a)))
        to_c = self.rng.binomial(n_f, np.minimum(1.0, q.nu * np.exp(-a)))
        self.n_f = (n_f + to_f - to_c) / n
        self.p_prev, self.p_close = self.p_close, p    # chartists see the last daily return

    def columns(self) -> list[str]:
        return [f"chartist_share_{n.lower()}" for n in self.market_names]

    def record(self) -> dict[str, float]:
        return {f"chartist_share_{n.lower()}": float(1.0 - x) for n, x in zip(self.market_names, self.n_f)}
