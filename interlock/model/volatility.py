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
from dataclasses import dataclass

from ..config import Params, ParamView, RunParams


@dataclass(frozen=True)
class VolParams(ParamView, section="vol"):
    """The VOL index and the realised-vol estimators (interlock/data/params/market.toml, [vol]);
    the market reads the depth reference and the starting vols too."""

    ewma_lambda_fast: float            # daily EWMA decay of the 1M realised variance (and depth)
    ewma_lambda_slow: float            # daily EWMA decay of the 3M realised variance
    variance_risk_premium: float       # implied / realised variance (VRP)
    hedging_half_life_days: float      # days: decay of the hedging-demand variance H
    hedging_per_drop: float            # annual variance of H per unit of negative S&P log return
    hedging_per_systematic_flow: float  # annual variance of H per unit of systematic selling / cap
    hedging_3m_share: float            # share s₃ of H that lifts the 3M tenor
    initial_annual_vol: float          # annualised S&P vol at day 0
    reference_annual_vol: float        # annualised vol at which market depth is 'normal'
    btc_initial_annual_vol: float      # annualised BTC vol at day 0 (also its depth reference)


class ImpliedVol:
    def __init__(self, p: Params):
        q = VolParams.from_params(p)
        self.ann = RunParams.from_params(p).trading_days_per_year
        self.initial_var = q.initial_annual_vol ** 2 / self.ann     # daily S&P variance at day 0
        self.var_fast = self.initial_var
        self.var_slow = self.initial_var
        self.lam_fast = q.ewma_lambda_fast
        self.lam_slow = q.ewma_lambda_slow
        self.vrp = q.variance_risk_premium
        self.decay = 0.5 ** (1.0 / q.hedging_half_life_days)
        self.per_drop = q.hedging_per_drop
        self.per_flow = q.hedging_per_systematic_flow
        self.share_3m = q.hedging_3m_share
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
