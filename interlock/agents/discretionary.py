"""Discretionary equity managers with capital (issue #12; replaces the return-space
Franke–Westerhoff traders, whose dollars were solved from the return and were not money).

n desks share the class's capital K (USD bn). Desk i holds the index (long only) and cash; each day
before the open it targets an exposure, as a multiple of its NAV,

    e*_i = clip(e0 + u_i + κ_v (ln V − ln P), 0, L_max)
    u_i  ← φ u_i + s √(1 − φ²) ε_i                      an AR(1) view, ε i.i.d. N(0, 1)
    order_i = θ (e*_i · NAV_i − holding_i),   never selling more than it holds

ln V − ln P is the index's *flow-induced* mispricing (news moves value and price together, so it is
what other traders' flows put there): the desks lean against it, which is what makes Gabaix &
Koijen's multiplier finite in the model. The view draws come from the class's own stream, n a day
whatever the state (common random numbers). Cash may go negative down to the leverage cap: that is
the desks' financing (no interest is charged in the model, so money stays conserved).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..config import ParamView
from . import jit
from .base import Member, Population, add_reduce, clip


@dataclass(frozen=True)
class DiscretionaryParams(ParamView, section="discretionary"):
    """What the discretionary desks read (interlock/data/params/funds.toml, [discretionary])."""

    capital: float                     # USD bn, all desks together
    n_traders: int                     # desks
    base_exposure: float               # e0: exposure with no view and no mispricing (x NAV)
    view_sd: float                     # s: stationary s.d. of a desk's view (x NAV)
    view_persistence: float            # φ: daily persistence of the view
    value_sensitivity: float           # κ_v: exposure per unit flow-induced log discount
    speed: float                       # θ: share of the gap traded per day
    max_leverage: float                # L_max: holdings / NAV at most


class DiscretionaryDesk(Member):
    """One discretionary desk."""

    @property
    def view(self) -> float:
        return float(self.population.view[self.row])

    @property
    def exposure(self) -> float:
        """Index holding as a multiple of NAV."""
        pop = self.population
        nav = pop.nav()[self.row]
        return float(pop.holdings()[self.row, pop.market.SPX] / nav) if nav > 0 else 0.0


class DiscretionaryBook(Population):
    agent_class = "discretionary"
    member_type = DiscretionaryDesk

    def __init__(self, model, rng):
        q = self.q = DiscretionaryParams.from_params(model.params)
        super().__init__(model, q.n_traders, rng)
        m = self.market
        nav0 = q.capital / self.n
        e0 = min(q.base_exposure, q.max_leverage)
        self.units[:, m.SPX] = e0 * nav0 / m.spx
        self.cash[:] = (1.0 - e0) * nav0
        self.view = np.zeros(self.n)
        self._shock = q.view_sd * math.sqrt(1.0 - q.view_persistence ** 2)
        eq = m.equity_idx
        self._w0 = m.cap0[eq] / m.cap0[eq].sum()
        self._fk = jit.if_on(jit.fast_agents)      # agents/jit.py: when the kernels run

    def mispricing(self) -> float:
        """Flow-induced log discount of the index: cap-weighted ln V − ln P of the equities, beyond
        the premium the steady buyback flow holds up (`Market.flow_discount`: 0 at the start)."""
        return float(self._w0 @ self.market.flow_discount()[self.market.equity_idx])

    def voluntary_orders(self) -> np.ndarray:
        q = self.q
        m = self.market
        eps = self.rng.standard_normal(self.n)
        if self._fk is not None:             # the same orders from one fused kernel (`_fast_agents.py`)
            view = np.empty(self.n)
            orders = np.zeros((self.n, m.n_instr))
            self._fk.discretionary_orders(self.view, eps, float(q.view_persistence), float(self._shock), self.units,
                                         m.SPX, float(m.instrument_prices()[m.SPX]), self.cash,
                                         float(q.base_exposure), q.value_sensitivity * self.mispricing(),
                                         float(q.max_leverage), float(q.speed), view, orders)
            self.view = view
            return orders
        self.view = q.view_persistence * self.view + self._shock * eps
        prices = m.instrument_prices()
        held = self.units[:, m.SPX] * prices[m.SPX]
        nav = np.maximum(self.cash + held, 0.0)
        target = clip(q.base_exposure + self.view + q.value_sensitivity * self.mispricing(),
                         0.0, q.max_leverage) * nav
        trade = np.maximum(q.speed * (target - held), -np.maximum(held, 0.0))
        orders = np.zeros((self.n, m.n_instr))
        orders[:, m.SPX] = trade
        return orders

    def columns(self) -> list[str]:
        return ["discretionary_equity_bn", "discretionary_nav"]

    def record(self) -> dict[str, float]:
        m = self.market
        prices = m.instrument_prices()
        eq = float(add_reduce(self.units[:, m.SPX], None) * prices[m.SPX])
        return {"discretionary_equity_bn": eq, "discretionary_nav": float(add_reduce(self.cash, None)) + eq}
