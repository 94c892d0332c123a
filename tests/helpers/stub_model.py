"""A stand-in for `CapitalFlowModel` in unit tests: just what the market, the Fed and a trading
population read from the model (params, the market, the VOL index, the macro block, the day, an event
log and the S&P drawdown), with no clearing loop and no recording. It is a Mesa model, so the
populations' members and the Fed register as Mesa agents as they do in a run."""

from __future__ import annotations

import mesa
import numpy as np
from scipy.optimize import brentq

from interlock.config import Params
from interlock.model.macro import Macro
from interlock.model.market import Market
from interlock.model.volatility import ImpliedVol


class StubModel(mesa.Model):
    def __init__(self, overrides: dict | None = None, seed: int = 0):
        super().__init__(seed=seed)
        self.params = Params.defaults().with_overrides(dict(overrides or {}), "test")
        self.market = Market(self.params, np.random.default_rng(seed))
        self.vol = ImpliedVol(self.params, self.market)
        self.macro = Macro(self.params)
        self.day = 0
        self.drawdown = 0.0
        self.events: list[tuple] = []

    def log_event(self, kind, source, target, channel, usd_bn, detail=""):
        self.events.append((self.day, kind, source, target, channel, usd_bn, detail))

    def spx_drawdown(self) -> float:
        return self.drawdown


def spx_flow_for_move(market: Market, log_move: float) -> float:
    """The S&P index flow (USD bn) that moves the index by `log_move` in one round, given the impact
    kernel's current state (the kernel is concave, so this is solved, not divided)."""
    eq_cap = market.cap[market.is_equity].sum()

    def index_move(x: float) -> float:
        flow = np.zeros(market.n_instr)
        flow[market.SPX] = x
        d = market.impact.preview(market.to_primitive(flow)[None, :], market.cap[None, :])[0]
        return float(np.log((market.cap * np.exp(d))[market.is_equity].sum() / eq_cap)) - log_move

    hi = eq_cap
    return float(brentq(index_move, -hi, hi, xtol=1e-12, rtol=1e-14))


def move_spx(market: Market, log_move: float, round_no: int = 1) -> float:
    """Clear, in a forced round, the S&P index flow that moves the index by `log_move`; returns it."""
    flow = np.zeros(market.n_instr)
    flow[market.SPX] = spx_flow_for_move(market, log_move)
    market.clear(flow, round_no)
    return float(flow[market.SPX])
