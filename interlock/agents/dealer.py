"""Options dealers hedging their gamma (MODEL.md §3.8, optional; seeds/001 names dealer hedging as
a driver of volatility).

Dealers' net gamma exposure G (USD bn to trade per 1% S&P move) is positive in calm markets and
flips negative when puts are bid (VOL_1M above a threshold, smoothly). Decision rule:
    forced hedge in round k ≥ 1:  order = −G · (SPX move of round k−1) / 1%
    voluntary (round 0):          unwind a fifth of yesterday's hedge inventory
Long gamma damps moves; short gamma chases them within the day (a cascade through the rounds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..config import ParamView
from .base import Member, Population


@dataclass(frozen=True)
class DealerParams(ParamView, section="dealer"):
    """What the dealer book reads (interlock/data/params/funds.toml, [dealer])."""

    gamma_calm: float                  # USD bn traded per 1% S&P move, calm markets (long gamma)
    gamma_stressed: float              # the same when puts are bid (short gamma)
    stress_vol: float                  # VOL_1M where gamma flips
    stress_transition_width: float     # VOL_1M width of the logistic flip
    unwind_per_day: float              # share of the hedge inventory unwound each morning
    min_hedge: float                   # USD bn: smaller intraday hedges are skipped



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

    def gamma(self) -> float:
        vol = self.model.vol.vol_1m
        q = self.q
        w = 1.0 / (1.0 + math.exp(-(vol - q.stress_vol) / q.stress_transition_width))
        return (1.0 - w) * q.gamma_calm + w * q.gamma_stressed

    def voluntary_orders(self):
        m = self.market
        self.last_level = None            # set after round 0 clears (first forced round)
        inv = self.units[0, m.SPX] * m.spx
        if abs(inv) < 1e-6:
            return None
        orders = np.zeros((1, m.n_instr))
        orders[0, m.SPX] = -self.q.unwind_per_day * inv
        return orders

    def forced_orders(self, round_no: int):
        m = self.market
        if round_no == 1:
            move = m.spx_intraday_return()
        else:
            move = math.log(m.spx / self.last_level)
        self.last_level = m.spx
        hedge = -self.gamma() * move / 0.01
        if abs(hedge) < self.q.min_hedge:
            return None
        orders = np.zeros((1, m.n_instr))
        orders[0, m.SPX] = hedge
        return orders, "gamma_hedge"

    def columns(self) -> list[str]:
        return ["dealer_gamma_bn_per_pct"]

    def record(self) -> dict[str, float]:
        return {"dealer_gamma_bn_per_pct": self.gamma()}
