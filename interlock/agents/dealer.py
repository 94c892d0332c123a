"""Options dealers hedging their gamma (MODEL.md §3.8; seeds/001 names dealer hedging as a driver
of volatility), issue #12: hedging past a threshold, within the options open interest.

Dealers' net gamma exposure Γ (USD bn to trade per 1% S&P move) is positive in calm markets and
flips negative when puts are bid (VOL_1M above a threshold). Decision rule:
    forced, round k ≥ 1: when the index has moved more than `hedge_threshold` since the last
                         hedge (or the open), trade −Γ_eff · move / 1%, where Γ_eff = Γ except that
                         short gamma on up-moves is only `short_gamma_up_share` as strong (end users
                         are net long index puts below spot: Gârleanu, Pedersen & Poteshman 2009)
    bound:               hedge inventory |I| ≤ |Γ| · 100 · `open_interest_share` (hedges stay within
                         what the options book can require)
    voluntary, round 0:  a share `unwind_per_day` of the inventory rolls off
The forced flow is Lipschitz in the move with constant 100·|Γ| USD bn per unit log move
(`sensitivity()`), the S of the worst-case round gain (model/stability.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..config import ParamView
from .base import Member, Population

PCT = 0.01          # Γ is quoted per 1% move


@dataclass(frozen=True)
class DealerParams(ParamView, section="dealer"):
    """What the dealer book reads (interlock/data/params/funds.toml, [dealer])."""

    gamma_calm: float                  # USD bn traded per 1% S&P move, calm markets (long gamma)
    gamma_stressed: float              # the same when puts are bid (short gamma)
    stress_vol: float                  # VOL_1M where gamma flips
    stress_transition_width: float     # VOL_1M width of the logistic flip
    unwind_per_day: float              # share of the hedge inventory rolled off each morning
    hedge_threshold: float             # index log move since the last hedge that triggers one
    open_interest_share: float         # inventory bound: |I| ≤ |Γ|·100·share
    short_gamma_up_share: float        # short gamma's strength on up-moves


class OptionsDealer(Member):
    """The aggregate S&P options dealer book."""

    @property
    def gamma_exposure(self) -> float:
        """USD bn traded per 1% S&P move (negative = short gamma)."""
        return float(self.population.gamma())


class DealerBook(Population):
    agent_class = "dealer"
    member_type = OptionsDealer

    def __init__(self, model, rng):
        super().__init__(model, 1, rng)
        self.q = DealerParams.from_params(model.params)
        self.last_level = self.market.spx
        self._gamma = self.gamma()

    def gamma(self) -> float:
        """Γ at today's index level (the params quote it at the starting level; dollar gamma
        scales with the index, so the round gain's S/C does not change as prices move)."""
        vol = self.model.vol.vol_1m
        q = self.q
        z = max(-50.0, min(50.0, (vol - q.stress_vol) / q.stress_transition_width))
        w = 1.0 / (1.0 + math.exp(-z))
        level = self.market.spx / self.market.spx0
        return ((1.0 - w) * q.gamma_calm + w * q.gamma_stressed) * level

    def sensitivity(self) -> float:
        """Largest forced flow per unit log move of the index (USD bn): 100·max|Γ|."""
        return abs(max(abs(self.q.gamma_calm), abs(self.q.gamma_stressed))) / PCT

    def voluntary_orders(self):
        m = self.market
        self._gamma = self.gamma()                  # fixed for the day (yesterday's VOL_1M)
        self.last_level = m.open_spx
        inv = self.units[0, m.SPX] * m.spx
        if abs(inv) < 1e-9:
            return None
        orders = np.zeros((1, m.n_instr))
        orders[0, m.SPX] = -self.q.unwind_per_day * inv
        return orders

    def forced_orders(self, round_no: int):
        m = self.market
        q = self.q
        move = math.log(m.spx / self.last_level)
        if abs(move) <= q.hedge_threshold:
            return None
        g = self._gamma
        if g < 0 and move > 0:
            g *= q.short_gamma_up_share
        hedge = -g * move / PCT
        inv = self.units[0, m.SPX] * m.spx
        lim = max(abs(q.gamma_calm), abs(q.gamma_stressed)) * m.spx / m.spx0 / PCT * q.open_interest_share
        hedge = float(np.clip(inv + hedge, -lim, lim) - inv)
        self.last_level = m.spx
        if abs(hedge) < 1e-9:
            return None
        orders = np.zeros((1, m.n_instr))
        orders[0, m.SPX] = hedge
        return orders, "gamma_hedge"

    def columns(self) -> list[str]:
        return ["dealer_gamma_bn_per_pct"]

    def record(self) -> dict[str, float]:
        return {"dealer_gamma_bn_per_pct": self.gamma()}
