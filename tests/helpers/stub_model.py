"""A stand-in for `CapitalFlowModel` in unit tests: just what the market, the Fed and a trading
population read from the model (params, the market, the VOL index, the macro block, the day, an event
log and the S&P drawdown), with no clearing loop and no recording. It is a Mesa model, so the
populations' members and the Fed register as Mesa agents as they do in a run."""

from __future__ import annotations

import mesa
import numpy as np

from interlock.config import Params
from interlock.model.macro import Macro
from interlock.model.market import Market
from interlock.model.volatility import ImpliedVol


class StubModel(mesa.Model):
    def __init__(self, overrides: dict | None = None, seed: int = 0):
        super().__init__(seed=seed)
        self.params = Params.defaults().with_overrides(dict(overrides or {}), "test")
        self.market = Market(self.params, np.random.default_rng(seed))
        self.vol = ImpliedVol(self.params)
        self.macro = Macro(self.params)
        self.day = 0
        self.drawdown = 0.0
        self.events: list[tuple] = []

    def log_event(self, kind, source, target, channel, usd_bn, detail=""):
        self.events.append((self.day, kind, source, target, channel, usd_bn, detail))

    def spx_drawdown(self) -> float:
        return self.drawdown


def move_spx(market: Market, log_move: float, round_no: int = 1) -> None:
    """Clear, in a forced round, the S&P index flow that moves every constituent (and so the index)
    by `log_move`, while market depth is normal (as at the start)."""
    eq_cap = market.cap[market.is_equity].sum()
    per_frac = market.M[market.equity_idx[0]] * (1.0 + market.transient_ratio)
    flow = np.zeros(market.n_instr)
    flow[market.SPX] = log_move / per_frac * eq_cap
    market.clear(flow, round_no)
