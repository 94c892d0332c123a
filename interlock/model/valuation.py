"""Fundamental values (the V in MODEL.md §2) from the discount rate, liquidity and growth.

    y*     = w · E[policy rate] + (1 − w) · (r_neutral + π*) + term premium(deficit, QT)   fair 10y yield
    ln V_equity = base_a(t) − D_eq · (y* − y*₀) + β_L · liquidity + β_g · (growth − growth₀)
    ln V_BTC    = base(t)   − D_btc · (y* − y*₀) + β_L,btc · liquidity
    ln V_UST10  = −D_bond · (y* − y*₀)       (the bond's price, so its yield tracks y*)
base_a(t) grows at the equity drift; the firm block replaces it for the interlock firms with
forward revenue × multiple. Any change in V is partly priced at once as news (Market).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..agents.fed import FedParams
from ..config import Params, ParamView, RunParams


@dataclass(frozen=True)
class ValuationParams(ParamView, section="valuation"):
    """The discount-rate channel (interlock/data/params/fed.toml, [valuation])."""

    equity_duration: float             # years: −Δln V of equities per unit rise of the fair yield
    btc_duration: float                # years: the same for BTC
    cut_prob_weight: float             # expected cuts priced per unit cut probability
    expected_path_weight: float        # weight w of the near-term policy path in the fair yield
    term_premium: float                # decimal at day 0
    deficit_threshold: float           # share of GDP: deficits above it lift the term premium
    term_premium_per_deficit: float    # yield per unit deficit/GDP above the threshold
    term_premium_per_qt: float         # yield per USD bn / month of QT
    liquidity_beta_equity: float       # ln V per USD trillion of 3-month reserve change
    liquidity_beta_btc: float          # the same for BTC
    equity_drift: float                # annual growth of equities' fundamental value
    btc_drift: float                   # annual growth of BTC's fundamental value
    growth_beta: float                 # ln V of equities per unit growth surprise


class Valuation:
    def __init__(self, model, p: Params):
        self.model = model
        m = model.market
        q = ValuationParams.from_params(p)
        fed = FedParams.from_params(p)
        self.ann = RunParams.from_params(p).trading_days_per_year
        self.D_eq = q.equity_duration
        self.D_btc = q.btc_duration
        self.D_bond = m.bond_duration
        self.cut_weight = q.cut_prob_weight
        self.path_w = q.expected_path_weight
        self.tp0 = q.term_premium
        self.deficit_threshold = q.deficit_threshold
        self.tp_deficit = q.term_premium_per_deficit
        self.tp_qt = q.term_premium_per_qt
        self.liq_eq = q.liquidity_beta_equity
        self.liq_btc = q.liquidity_beta_btc
        self.growth_beta = q.growth_beta
        self.long_run = fed.neutral_real_rate + fed.inflation_target
        self.drift = np.zeros(m.n)
        self.drift[m.is_equity] = q.equity_drift / self.ann
        self.drift[m.btc] = q.btc_drift / self.ann
        self.base = np.zeros(m.n)              # log value from fundamentals (firm block may set)
        self.growth0 = model.macro.growth
        self.term_premium_shock = 0.0
        self.y_fair0 = self._fair_yield_raw()
        # anchor the fair yield at the market's starting yield
        self.offset = m.y0 - self.y_fair0
        self.y_fair0 = m.y0
        self.y_fair = self.y_fair0

    def _fair_yield_raw(self) -> float:
        fed = self.model.fed
        mac = self.model.macro
        expected = fed.expected_rate(self.cut_weight)
        tp = (self.tp0 + self.tp_deficit * max(0.0, mac.deficit - self.deficit_threshold)
              + self.tp_qt * max(0.0, -fed.pace) + self.term_premium_shock)
        return self.path_w * expected + (1.0 - self.path_w) * self.long_run + tp

    def update(self) -> None:
        m = self.model.market
        self.base += self.drift
        self.y_fair = self._fair_yield_raw() + self.offset
        dy = self.y_fair - self.y_fair0
        liq = self.model.fed.liquidity
        dg = self.model.macro.growth - self.growth0
        v = self.base.copy()
        eq = m.is_equity
        v[eq] += -self.D_eq * dy + self.liq_eq * liq + self.growth_beta * dg
        v[m.btc] += -self.D_btc * dy + self.liq_btc * liq
        v[m.ust10] = -self.D_bond * dy
        m.set_log_values(v)
