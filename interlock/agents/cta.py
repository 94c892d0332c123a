"""CTAs / trend followers (MODEL.md §3.2; seeds/001: trend thresholds flip long/short and force
coordinated flows).

Market-level trend state: EWMAs of the log price of SPX, UST10 and BTC over spans 8, 16, 32, 64
and 128 days. Crossover k ∈ {8/32, 16/64, 32/128}: y_k = (EMA_short − EMA_long) / (σ_d · √long).
Decision rule, per CTA i and market m:
    signal_i,m = tanh( Σ_k w_i,k y_k / s_i )          heterogeneous blends w and thresholds s
    target_i,m = signal_i,m · (σ* / σ̂_m) · weight_m · NAV_i,  |target| ≤ L_max · NAV_i
    order      = θ_i · (target − position)
Forced (rounds ≥ 1): when the day's move against a position exceeds k daily s.d., the CTA cuts
a share of that position (a stop-out), once per market per day.
"""

from __future__ import annotations

import math

import numpy as np

from .base import Member, Population

SPANS = np.array([8.0, 16.0, 32.0, 64.0, 128.0])
CROSSOVERS = [(0, 2), (1, 3), (2, 4)]        # (8,32), (16,64), (32,128) as indices into SPANS


class CTA(Member):
    """A trend-following managed-futures fund."""

    @property
    def signals(self) -> dict[str, float]:
        """Current trend signal in [−1, 1] per market."""
        pop = self.population
        sig = pop.signal_matrix()
        return {name: float(sig[self.row, j]) for j, name in enumerate(pop.market_names)}

    @property
    def positions(self) -> dict[str, float]:
        """Futures positions, USD bn notional, per market."""
        pop = self.population
        h = pop.holdings()
        return {name: float(h[self.row, c]) for name, c in zip(pop.market_names, pop.cols)}


class CTABook(Population):
    agent_class = "cta"
    member_type = CTA

    def __init__(self, model, rng):
        p = model.params.section("cta")
        n = p["n_funds"]
        super().__init__(model, n, rng)
        m = self.market
        self.ann = model.params["run.trading_days_per_year"]
        self.market_names = ["SPX", "UST10", "BTC"]
        self.cols = np.array([m.SPX, m.ust10, m.btc])             # instrument columns
        self.prim = np.array([-1, m.ust10, m.btc])                # -1: SPX uses the index level
        self.weights = np.array([p["weight_equity"], p["weight_bond"], p["weight_btc"]])
        self.sigma_target = p["target_vol"]
        self.max_lev = p["max_leverage"]
        self.stop_k = p["stop_loss_sigmas"]
        self.stop_fraction = p["stop_fraction"]
        self.speed = rng.uniform(p["speed_min"], p["speed_max"], n)
        self.scale = rng.uniform(p["signal_scale_min"], p["signal_scale_max"], n)
        self.blend = rng.dirichlet(np.ones(len(CROSSOVERS)), n)      # (n, 3)
        self.cash = p["aum"] * rng.dirichlet(np.full(n, 4.0))
        self.alpha = 2.0 / (SPANS + 1.0)
        self.ema = np.zeros((3, len(SPANS)))                          # market × span, log price
        self.stopped = np.zeros((n, 3), dtype=bool)

    def _log_levels(self) -> np.ndarray:
        m = self.market
        return np.array([math.log(m.spx / m.spx0), m.logp[m.ust10], m.logp[m.btc]])

    def _daily_var(self) -> np.ndarray:
        m = self.market
        return np.array([m.var_fast[m.equity_idx[-1]], m.var_fast[m.ust10], m.var_fast[m.btc]])

    def signal_matrix(self) -> np.ndarray:
        sd = np.sqrt(self._daily_var())
        y = np.stack([(self.ema[:, s] - self.ema[:, l]) / (sd * math.sqrt(SPANS[l]))
                      for s, l in CROSSOVERS], axis=1)                 # (3 markets, 3 crossovers)
        raw = self.blend @ y.T                                         # (n, 3 markets)
        return np.tanh(raw / self.scale[:, None])

    def begin_day(self) -> None:
        self.stopped[:] = False

    def voluntary_orders(self) -> np.ndarray:
        m = self.market
        prices = m.instrument_prices()
        nav = np.maximum(self.cash + self.units @ prices, 0.0)
        ann_sd = np.sqrt(self._daily_var() * self.ann)
        target = self.signal_matrix() * (self.sigma_target / ann_sd * self.weights)[None, :] * nav[:, None]
        cap = self.max_lev * nav[:, None]
        target = np.clip(target, -cap, cap)
        pos = self.units[:, self.cols] * prices[self.cols]
        orders = np.zeros((self.n, m.n_instr))
        orders[:, self.cols] = self.speed[:, None] * (target - pos)
        return orders

    def forced_orders(self, round_no: int):
        m = self.market
        move = np.array([m.spx_intraday_return(), m.logp[m.ust10] - m.open_logp[m.ust10],
                         m.logp[m.btc] - m.open_logp[m.btc]])
        limit = self.stop_k * np.sqrt(self._daily_var())
        pos_units = self.units[:, self.cols]
        against = (pos_units * move[None, :]) < 0
        hit = against & (np.abs(move)[None, :] > limit[None, :]) & ~self.stopped
        if not hit.any():
            return None
        self.stopped |= hit
        prices = m.instrument_prices()
        orders = np.zeros((self.n, m.n_instr))
        orders[:, self.cols] = np.where(hit, -self.stop_fraction * pos_units * prices[self.cols], 0.0)
        return orders, "stop_out"

    def end_day(self, returns: np.ndarray) -> None:
        lv = self._log_levels()
        self.ema += self.alpha[None, :] * (lv[:, None] - self.ema)

    def columns(self) -> list[str]:
        return ["cta_position_spx_bn", "cta_position_ust10_bn", "cta_position_btc_bn", "cta_nav"]

    def record(self) -> dict[str, float]:
        prices = self.market.instrument_prices()
        pos = (self.units[:, self.cols] * prices[self.cols]).sum(axis=0)
        return {"cta_position_spx_bn": float(pos[0]), "cta_position_ust10_bn": float(pos[1]),
                "cta_position_btc_bn": float(pos[2]), "cta_nav": float((self.cash + self.units @ prices).sum())}
