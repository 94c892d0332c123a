"""Volatility-target funds (MODEL.md §3.1; seeds/001: deleverage when vol spikes, releverage when
it falls).

Decision rule, per fund i, each day before the open:
    σ̂_i    = the higher of a fast EWMA (λ_i) and a slow one (λ_slow) of the S&P's realised vol
             (funds de-risk fast and re-risk slowly; MODEL.md §3.1's 'higher of 20- and 40-day'),
             and of UST10 for risk-parity funds
    e*_i   = min(L_max, σ*_i / σ̂_i)                       equity-only funds
             risk parity: inverse-vol weights on SPX and UST10, levered to σ*_i, capped at L_max
    order  = θ_i · (e*_i · NAV_i − holding_i)   if |e*_i · NAV_i − holding_i| > δ · NAV_i,
             at most `max_daily_change` × NAV a day and never selling more than it holds
Forced (clearing rounds ≥ 1): when the S&P's intraday loss passes the fund's risk limit, it cuts
`exit_fraction` of its equity book (a risk-model exit) — one shot per fund per day, so the class's
forced flow in a day is at most exit_fraction × its equity holdings: a bounded kick, not a
proportional response (issue #12; the stability bound in model/stability.py counts it as a kick).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..config import ParamView, RunParams
from . import jit
from .base import Member, Population, add_reduce, clip


@dataclass(frozen=True)
class VolTargetParams(ParamView, section="vol_target"):
    """What the vol-target funds read (interlock/data/params/funds.toml, [vol_target]). Ranges
    (`_min`/`_max`) are drawn uniformly per fund at the start."""

    aum: float                         # USD bn, all funds together
    n_funds: int                       # funds
    size_concentration: float          # Dirichlet concentration of fund sizes (large = equal sizes)
    target_vol_min: float              # annualised σ*
    target_vol_max: float
    max_leverage: float                # x NAV: L_max
    speed_min: float                   # θ: share of the gap to target traded per day
    speed_max: float
    band: float                        # share of NAV: δ, no trade while the gap is inside it
    ewma_lambda_min: float             # daily EWMA decay λ of the fund's variance estimate
    ewma_lambda_max: float
    ewma_lambda_slow: float            # the slow estimator of the 'higher of' rule
    max_daily_change: float            # share of NAV traded at most per day (voluntary)
    risk_parity_share: float           # share of funds that are risk parity (SPX + UST10)
    loss_limit_min: float              # intraday S&P loss that forces a risk exit
    loss_limit_max: float
    exit_fraction: float               # share of the equity holding sold on a risk exit


class VolTargetFund(Member):
    """A volatility-target or risk-parity fund."""

    @property
    def sigma_target(self) -> float:
        return float(self.population.sigma_target[self.row])

    @property
    def is_risk_parity(self) -> bool:
        return bool(self.population.risk_parity[self.row])

    @property
    def realised_vol(self) -> float:
        """Annualised vol estimate the fund targets against."""
        pop = self.population
        return float(math.sqrt(max(pop.var_eq[self.row], pop.var_eq_slow[self.row]) * pop.ann))

    @property
    def target_exposure(self) -> float:
        """Target equity exposure as a multiple of NAV (e* = min(L_max, σ*/σ̂))."""
        tgt = self.population.targets()
        nav = self.population.nav()[self.row]
        return float(tgt[self.row, 0] / nav) if nav > 0 else 0.0

    @property
    def exposure(self) -> float:
        """Current equity holding as a multiple of NAV."""
        h = self.population.holdings()[self.row, self.model.market.SPX]
        nav = self.population.nav()[self.row]
        return float(h / nav) if nav > 0 else 0.0


class VolTargetBook(Population):
    """All vol-target funds, vectorised."""
    agent_class = "vol_target"

    member_type = VolTargetFund

    def __init__(self, model, rng):
        q = self.q = VolTargetParams.from_params(model.params)
        n = q.n_funds
        super().__init__(model, n, rng)
        m = self.market
        self.ann = RunParams.from_params(model.params).trading_days_per_year
        self.sigma_target = rng.uniform(q.target_vol_min, q.target_vol_max, n)
        self.speed = rng.uniform(q.speed_min, q.speed_max, n)
        self._cols = np.array([m.SPX, m.ust10])             # the instruments it holds
        # their cells in the flattened (fund × instrument) order array (take/put: numpy's fancy
        # indexing costs ~1 µs more a call on these small arrays, for the same values)
        self._order_cells = (np.arange(n)[:, None] * m.n_instr + self._cols[None, :]).ravel()
        self.lam = rng.uniform(q.ewma_lambda_min, q.ewma_lambda_max, n)
        self._one_minus_lam = 1.0 - self.lam
        self.loss_limit = rng.uniform(q.loss_limit_min, q.loss_limit_max, n)
        self._loss_limit_min = float(self.loss_limit.min())     # per-fund parameters: fixed for the run
        self.risk_parity = rng.random(n) < q.risk_parity_share
        self.max_lev = q.max_leverage
        self.band = q.band
        self.exit_fraction = q.exit_fraction
        share = rng.dirichlet(np.full(n, q.size_concentration))
        nav0 = q.aum * share
        self.var_eq = np.full(n, model.vol.initial_var)      # the S&P's daily variance at day 0
        self.var_eq_slow = self.var_eq.copy()
        self.lam_slow = q.ewma_lambda_slow
        self.max_change = q.max_daily_change
        self.var_bond = np.full(n, m.ref_vars[m.ust10])
        self.exited_today = np.zeros(n, dtype=bool)
        self._fk = jit.if_on(jit.fast_agents)      # agents/jit.py: when the kernels run
        # start at target so the first day is not a rebalancing burst
        self.cash = nav0.copy()
        tgt = self._targets(nav0)
        prices = m.instrument_prices()
        self.units[:, m.SPX] = tgt[:, 0] / prices[m.SPX]
        self.units[:, m.ust10] = tgt[:, 1] / prices[m.ust10]
        self.cash -= tgt.sum(axis=1)

    def _targets(self, nav: np.ndarray) -> np.ndarray:
        """Target $ holdings: column 0 = SPX, column 1 = UST10."""
        sd_eq = np.sqrt(np.maximum(self.var_eq, self.var_eq_slow) * self.ann)
        sd_b = np.sqrt(self.var_bond * self.ann)
        lev_eq = np.minimum(self.max_lev, self.sigma_target / sd_eq)
        # risk parity: inverse-vol weights, levered to the target (zero correlation assumed)
        inv_eq = 1.0 / sd_eq
        w_eq = inv_eq / (inv_eq + 1.0 / sd_b)
        w_b = 1.0 - w_eq
        sd_p = np.sqrt((w_eq * sd_eq) ** 2 + (w_b * sd_b) ** 2)
        lev_rp = np.minimum(self.max_lev, self.sigma_target / sd_p)
        navp = np.maximum(nav, 0.0)
        eq = np.where(self.risk_parity, lev_rp * w_eq, lev_eq) * navp
        bond = np.where(self.risk_parity, lev_rp * w_b, 0.0) * navp
        out = np.empty((self.n, 2))              # the two columns, without column_stack's overhead
        out[:, 0] = eq
        out[:, 1] = bond
        return out

    def targets(self) -> np.ndarray:
        return self._targets(self.nav())

    def begin_day(self) -> None:
        self.exited_today[:] = False

    def voluntary_orders(self) -> np.ndarray:
        m = self.market
        prices = m.instrument_prices()
        nav = self.cash + self.units @ prices
        if self._fk is not None:             # the same orders from one fused kernel (`_fast_agents.py`)
            orders = np.zeros((self.n, m.n_instr))
            self._fk.vol_target_orders(nav, self.var_eq, self.var_eq_slow, self.var_bond, float(self.ann),
                                      self.sigma_target, float(self.max_lev), self.risk_parity, self.units,
                                      prices, self._cols, float(self.band), self.speed, float(self.max_change),
                                      orders)
            return orders
        tgt = self._targets(nav)
        held = self.units.take(self._cols, axis=1) * prices[self._cols]     # SPX, UST10 (elementwise only)
        gap = tgt - held
        navp = np.maximum(nav, 0.0)[:, None]
        trade = np.where(np.abs(gap) > self.band * np.maximum(nav, 1e-9)[:, None], self.speed[:, None] * gap, 0.0)
        cap = self.max_change * navp                              # −cap is (−max_change)·navp, bit for bit
        trade = clip(trade, -cap, cap)
        trade = np.maximum(trade, -np.maximum(held, 0.0))      # cannot sell more than it holds
        orders = np.zeros((self.n, m.n_instr))
        orders.put(self._order_cells, trade)                   # row i: SPX, UST10 ← trade[i]
        return orders

    def max_kick(self) -> float:
        """Largest forced flow the class can bring in one day (USD bn): exit_fraction × holdings."""
        m = self.market
        return float(self.exit_fraction * np.maximum(self.units[:, m.SPX] * m.spx, 0.0).sum())

    def forced_orders(self, round_no: int):
        m = self.market
        loss = -m.spx_intraday_return()
        if loss <= self._loss_limit_min:
            return None                                   # below every fund's limit: no one exits
        hit = (~self.exited_today) & (loss > self.loss_limit)
        if not hit.any():
            return None
        self.exited_today |= hit
        held = self.units[:, m.SPX] * m.spx
        orders = np.zeros((self.n, m.n_instr))
        orders[:, m.SPX] = np.where(hit, -self.exit_fraction * np.maximum(held, 0.0), 0.0)
        return orders, "risk_exit"

    def end_day(self, returns: np.ndarray) -> None:
        m = self.market
        r_eq = math.log(m.spx / m.open_spx)
        r_b = returns[m.ust10]
        lam, rest = self.lam, self._one_minus_lam
        self.var_eq = lam * self.var_eq + rest * r_eq * r_eq
        self.var_eq_slow = self.lam_slow * self.var_eq_slow + (1.0 - self.lam_slow) * r_eq * r_eq
        self.var_bond = lam * self.var_bond + rest * r_b * r_b

    def columns(self) -> list[str]:
        return ["vol_target_nav", "vol_target_equity_bn", "vol_target_exposure", "vol_target_bond_bn"]

    def record(self) -> dict[str, float]:
        m = self.market
        prices = m.instrument_prices()
        nav = float(add_reduce(self.cash + self.units @ prices, None))
        eq = float(add_reduce(self.units[:, m.SPX], None) * prices[m.SPX])
        bond = float(add_reduce(self.units[:, m.ust10], None) * prices[m.ust10])
        return {"vol_target_nav": nav, "vol_target_equity_bn": eq,
                "vol_target_exposure": eq / nav if nav > 0 else 0.0, "vol_target_bond_bn": bond}
