"""The implied-volatility index VOL (1-month and 3-month), MODEL.md §2.

    VOL_1M² = VRP · σ̂²_fast · 252 + H
    VOL_3M² = VRP · σ̂²_slow · 252 + s₃ · H
σ̂ are EWMA realised daily variances of the S&P (fast λ for 1M, slow for 3M), VRP the variance
risk premium and H a hedging-demand variance that jumps on down days, on heavy systematic
selling and on vol_spike shocks, and decays with a half-life of days. Because short-dated
hedging lifts 1M more than 3M, the curve inverts under hedging demand (seeds/001: an inverted
VIX curve is hedging flow, not panic).
"""

from __future__ import annotations

import math

from ..config import Params


class ImpliedVol:
    def __init__(self, p: Params):
        self.ann = p["run.trading_days_per_year"]
        v0 = p["vol.initial_annual_vol"] ** 2 / self.ann
        self.var_fast = v0
        self.var_slow = v0
        self.lam_fast = p["vol.ewma_lambda_fast"]
        self.lam_slow = p["vol.ewma_lambda_slow"]
        self.vrp = p["vol.variance_risk_premium"]
        self.decay = 0.5 ** (1.0 / p["vol.hedging_half_life_days"])
        self.per_drop = p["vol.hedging_per_drop"]
        self.per_flow = p["vol.hedging_per_systematic_flow"]
        self.share_3m = p["vol.hedging_3m_share"]
        self.hedging = 0.0
        self._set()

    def _set(self) -> None:
        self.vol_1m = math.sqrt(self.vrp * self.var_fast * self.ann + self.hedging)
        self.vol_3m = math.sqrt(self.vrp * self.var_slow * self.ann + self.share_3m * self.hedging)

    def add_hedging_demand(self, variance: float) -> None:
        """Exogenous hedging demand (annual variance units), e.g. a vol_spike shock."""
        self.hedging = max(0.0, self.hedging + variance)
        self._set()

    def update(self, spx_return: float, systematic_sell_fraction: float) -> None:
        """End of day: `systematic_sell_fraction` = vol-target + CTA net selling / equity cap (≥ 0)."""
        r2 = spx_return * spx_return
        self.var_fast = self.lam_fast * self.var_fast + (1.0 - self.lam_fast) * r2
        self.var_slow = self.lam_slow * self.var_slow + (1.0 - self.lam_slow) * r2
        self.hedging = (self.decay * self.hedging + self.per_drop * max(0.0, -spx_return)
                        + self.per_flow * systematic_sell_fraction)
        self._set()
