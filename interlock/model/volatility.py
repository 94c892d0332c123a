"""The implied-volatility index VOL (1-month and 3-month), issue #12:

    VOL_n² = VRP_n · 252 · V̂_n  +  H_t · ℓ_n,        n ∈ {21, 63} trading days

V̂_n is the news process's own expected mean daily variance of the index over the next n days
(`Market.spx_variance_forecast`, closed form): below its long-run level it rises with the horizon
(the curve is in contango on calm days), above it it falls (inversion in stress), and a spike
decays as the fast log-vol component mean-reverts. VRP_n is the variance risk premium, implied over
expected variance (Carr & Wu 2009, RFS 22:1311), higher at 3 months than at 1. H_t is hedging demand
in annual-variance units; it appears only when a threshold is crossed and decays with a half-life:

    H_t = δ H_{t−1} + η_r · max(0, −r_t/σ_t − k_r)  +  η_F · max(0, S_t − k_F)  +  K · min(0, r_t − n_t)² / ℓ_21,
    δ = 2^{−1/h}

(r_t/σ_t: the index move in units of yesterday's implied daily vol, VOL_1M/√252 — what option
buyers measured the day against; S_t: systematic net selling / equity cap). The last term is the
VIX's answer to the part of a down day that was not news (n_t: the index's share of the day's
round-0 news): trading — the funds' selling, dealers' hedges, liquidations — moves the index and option
buyers price the move, not its cause. ΔVOL_1M² = K·r² with K the data's (the VIX's rise on the S&P's
down days, 2014–17: median 28 VIX points² per %², flat across falls and levels; `episodes.vix_response_k`);
the news part reaches VOL through the news process's own variance (its GJR impact), so it is not
counted twice. Until this term the agents' selling moved the index and never implied vol.
Because H decays geometrically its mean over the next n days is H·ℓ_n, ℓ_n = (1 − δ^n)/(n(1 − δ)):
it loads 1M about three times more than 3M, so hedging inverts the curve after a shock and never on
a calm day (seeds/001: an inverted VIX curve is hedging flow, not panic).

At the close the volatility ETPs (`agents/vol_etp.py`) rebalance on the day's VOL_1M return; the log
move their futures buying (or selling) adds passes to VOL_1M as a demand E of its own, in the same
units and with the same decay as H:

    E_t = δ E_{t−1} + (VOL_after² − VOL_before²)/ℓ_21,   E ≥ −H,   VOL_n² = … + (H + E)·ℓ_n

(selling can undo hedging demand, never push implied vol below the premium × forecast). E is kept
apart from H so that H stays the threshold hedging demand. `vol_etp.enabled = false` switches them off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..agents.vol_etp import VolETPBook
from ..config import Params, ParamView, RunParams

if TYPE_CHECKING:
    from .market import Market

TENORS = (21, 63)


@dataclass(frozen=True)
class VolParams(ParamView, section="vol"):
    """The VOL index and the traders' realised-vol estimators (interlock/data/params/market.toml,
    [vol]); the market reads the starting vols too."""

    ewma_lambda_fast: float            # daily EWMA decay of realised variance (what traders read)
    variance_risk_premium: float       # VRP_1M: implied / expected variance, 1 month
    variance_risk_premium_3m: float    # VRP_3M
    hedging_half_life_days: float      # days: decay of the hedging-demand variance H
    hedging_loss_threshold: float      # implied σ: a fall beyond this many σ adds hedging demand
    hedging_per_sigma: float           # annual variance of H per σ of fall beyond the threshold
    hedging_flow_threshold: float      # share of equity cap a day: systematic selling beyond it adds H
    hedging_per_systematic_flow: float  # annual variance of H per unit of that selling share
    flow_move_k: float                 # K: ΔVOL_1M² per squared non-news index fall (annual variance)
    initial_annual_vol: float          # annualised S&P news vol at day 0 (the news state starts there)
    btc_initial_annual_vol: float      # annualised BTC realised vol at day 0


class ImpliedVol:
    def __init__(self, p: Params, market: "Market"):
        q = VolParams.from_params(p)
        self.market = market
        self.ann = RunParams.from_params(p).trading_days_per_year
        self.initial_var = q.initial_annual_vol ** 2 / self.ann     # daily S&P variance at day 0
        self.vrp = {21: q.variance_risk_premium, 63: q.variance_risk_premium_3m}
        self.delta = 0.5 ** (1.0 / q.hedging_half_life_days)
        d = self.delta
        self.load = {n: (1.0 - d ** n) / (n * (1.0 - d)) for n in TENORS}
        self.k_r, self.eta_r = q.hedging_loss_threshold, q.hedging_per_sigma
        self.k_F, self.eta_F = q.hedging_flow_threshold, q.hedging_per_systematic_flow
        self.k_flow = q.flow_move_k / self.load[21]          # per unit of H: it loads VOL_1M² with ℓ_21
        self.hedging = 0.0
        self.etp_demand = 0.0                       # E: the volatility ETPs' share (see the module doc)
        self.expected = market.spx_variance_forecast()
        self._set()
        self.etp = VolETPBook.from_params(p) if p["vol_etp.enabled"] else None
        self.prev_close_1m = self.vol_1m
        self.day = 0

    def _set(self) -> None:
        d = self.hedging + self.etp_demand
        self.vol_1m = math.sqrt(self.vrp[21] * self.ann * self.expected[21] + d * self.load[21])
        self.vol_3m = math.sqrt(self.vrp[63] * self.ann * self.expected[63] + d * self.load[63])

    def add_hedging_demand(self, variance: float) -> None:
        """Exogenous hedging demand that lifts VOL_1M² by `variance` (annual variance units) today,
        e.g. a vol_spike shock; it decays like any hedging demand."""
        self.hedging = max(0.0, self.hedging + variance / self.load[21])
        self._set()

    def update(self, spx_return: float, systematic_sell_fraction: float, news_return: float = 0.0) -> None:
        """End of day: `systematic_sell_fraction` = vol-target + CTA net selling / equity cap (≥ 0);
        `news_return` = the index's part of the day's news (log)."""
        sigma = self.prev_close_1m / math.sqrt(self.ann)      # yesterday's implied daily vol
        shock = max(0.0, -spx_return / sigma - self.k_r)
        flow = max(0.0, systematic_sell_fraction - self.k_F)
        traded = min(0.0, spx_return - news_return)            # the day's fall beyond its news
        self.hedging = (self.delta * self.hedging + self.eta_r * shock + self.eta_F * flow
                        + self.k_flow * traded * traded)
        self.etp_demand = max(-self.hedging, self.delta * self.etp_demand)
        self.expected = self.market.spx_variance_forecast()
        self._set()
        self.day += 1
        if self.etp is not None:
            before = self.vol_1m
            lift = self.etp.rebalance(self.day, before / self.prev_close_1m - 1.0, 100.0 * self.prev_close_1m)
            if lift:
                after = before * math.exp(lift)
                self.etp_demand = max(-self.hedging,
                                      self.etp_demand + (after * after - before * before) / self.load[21])
                self._set()
        self.prev_close_1m = self.vol_1m
