"""Fundamental values (the V in MODEL.md §2): the 10-year yield, the equity valuation channel and
the cross-asset risk-appetite factor (issue #13). Sources: docs/validation.md, "Policy transmission".

The fair 10-year yield is the expected average short rate plus a term premium:

    y*  = Fed.path_average(10 y) + TP + offset
    TP  = TP₀ + b_def · (deficit − deficit₀) − b_soma · (duration the Fed's holdings gained, $bn, and an
          announced pace's next `balance_sheet_horizon_months` of it)
          + k_tpU · U + term-premium shocks + over-reaction
    over-reaction ← decays with its half-life, + k_or · Δ(path news)                (Hanson, Lucca &
          Wright 2021: long rates over-react to short-rate news through a temporary term premium)

`offset` puts y* at the market's starting yield (the part of the observed 10-year that the rule's
path and the ACM term premium leave unexplained stays constant).

Two paths into prices, both through the core's seams:

* fundamental values (`Market.set_log_values`, partly priced on the day by `market.news_fraction`,
  the rest by the value anchor): the blocks' `base` (the firm block reprices its firms with their
  own durations), the drift, and the discount-rate term −D · (y* − y*₀) for equities and BTC;
* policy news (`Market.news`, priced in full on the day, no trade needed), per asset:

      equity i:  ln EPS news + β̃_i · (−D_erp · ΔERP + β_L,eq · L)
      BTC:       β_ra · (b_g · (data growth news) − D_erp · ΔERP) + β_L,btc · L
      UST10:     −D_bond · (y* − y*₀)
      ln EPS news = −b_τ · Δτ + b_g · (growth news)            (tariffs, fiscal, data)
      ΔERP        = k_erp · U + k_mp · (path news)
      path news   = the 1-year expected path − what day 0's path expected of the same window

  Path news is a revision, not the path's roll: a cut the day-0 path already expected moves neither the
  ERP nor the over-reaction when it comes (measured against day 0's window, a known cutting cycle gave
  a predictable −40bp 'news' a year and +1–2 points of the S&P's drift; docs/validation.md, "The first
  year").

  β̃_i is equity i's loading on the market news factor (the index loads 1): the AI complex loads
  more on risk appetite. L is the Fed's liquidity signal (3-month change in reserves, $tn).

Policy uncertainty U (vol points) also scales the market news factor's σ by (1 + U / VOL_base)
through `market.news_process.uncertainty` (the core's seam), VOL_base being implied vol without it
(yesterday's VOL_1M over yesterday's scale): implied vol — the news variance forecast — rises by
about U points, realised news variance with it, and the risk premium rises with U, together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Params, ParamView, RunParams


@dataclass(frozen=True)
class ValuationParams(ParamView, section="valuation"):
    """The discount-rate, earnings and risk-appetite channels (interlock/data/params/fed.toml, [valuation])."""

    equity_duration: float             # years: −Δln V of equities per unit rise of the fair 10y
    btc_duration: float                # years: the same for BTC
    cut_prob_weight: float             # expected moves the crypto allocators discount per unit expected move
    term_premium: float                # decimal at day 0
    term_premium_per_deficit: float    # yield per unit deficit/GDP change
    term_premium_per_holdings: float   # yield per USD bn of duration the Fed's holdings lose
    balance_sheet_horizon_months: float  # months of an announced pace the market prices at once
    term_premium_per_uncertainty: float  # yield per vol point of policy uncertainty
    term_premium_overreaction: float   # term premium per unit change of the 1-year expected path
    overreaction_half_life_days: float  # days: decay of that over-reaction
    equity_drift: float                # annual growth of equities' fundamental value
    btc_drift: float                   # annual growth of BTC's fundamental value
    eps_per_tariff: float              # ln EPS per unit tariff rise (direct margin effect)
    eps_per_growth: float              # ln EPS per unit change of the growth outlook
    erp_duration: float                # years: −Δln V per unit rise of the equity risk premium
    erp_per_uncertainty: float         # ERP per vol point of policy uncertainty
    erp_per_path: float                # ERP per unit change of the 1-year expected policy path
    liquidity_beta_equity: float       # ln V per USD trillion of 3-month reserve change
    liquidity_beta_btc: float          # the same for BTC
    btc_risk_beta: float               # BTC's loading on the equity market's risk-appetite news


class Valuation:
    def __init__(self, model, p: Params):
        self.model = model
        m = model.market
        q = self.q = ValuationParams.from_params(p)
        self.ann = RunParams.from_params(p).trading_days_per_year
        self.D_eq = q.equity_duration
        self.D_btc = q.btc_duration
        self.D_bond = m.bond_duration
        self.cut_weight = q.cut_prob_weight
        self.btc_risk_beta = q.btc_risk_beta
        self.drift = np.zeros(m.n)
        self.drift[m.is_equity] = q.equity_drift / self.ann
        self.drift[m.btc] = q.btc_drift / self.ann
        self.base = np.zeros(m.n)              # log value from fundamentals (firm block may set)
        self.beta = np.where(m.is_equity, m.L[:, 0], 0.0)       # loading on the market news factor
        self.f_market = m.news_params.names.index("market")
        self.or_decay = 0.5 ** (1.0 / q.overreaction_half_life_days)
        self.term_premium_shock = 0.0          # shocks (term_premium, stablecoin demand) add to it
        self.overreaction = 0.0
        fed, mac = model.fed, model.macro
        self.deficit0 = mac.deficit
        self.path1 = self.path1_0 = fed.path_average(1.0)
        # day 0's expected path: the ERP and the over-reaction read the news about the path, the 1-year
        # average less what day 0's path said of the same window (not its roll down a known path)
        self._path0 = fed.path_coefficients()
        self.path_news = 0.0
        self.offset = 0.0
        self.offset = m.y0 - self._fair_yield_raw()
        self.y_fair0 = self.y_fair = m.y0
        self.policy_logv = self._policy_values()   # the news path's value at day 0 (≈ 0)

    # ----- the 10-year ------------------------------------------------------------------------
    def term_premium(self) -> float:
        q = self.q
        fed, mac = self.model.fed, self.model.macro
        return (q.term_premium + q.term_premium_per_deficit * (mac.deficit - self.deficit0)
                - q.term_premium_per_holdings * fed.expected_duration_change(q.balance_sheet_horizon_months)
                + q.term_premium_per_uncertainty * mac.uncertainty
                + self.term_premium_shock + self.overreaction)

    def expected_path(self) -> float:
        """The 10-year's expectations part: the average expected short rate over 10 years."""
        return self.model.fed.path_average(10.0)

    def _fair_yield_raw(self) -> float:
        return self.expected_path() + self.term_premium() + self.offset

    # ----- the risk premium and the policy news ---------------------------------------------------
    def erp_change(self) -> float:
        """Change of the equity risk premium since day 0: uncertainty and the expected path."""
        q = self.q
        return (q.erp_per_uncertainty * self.model.macro.uncertainty
                + q.erp_per_path * self.path_news)

    def eps_news(self) -> float:
        """ln EPS news of the equity market since day 0 (tariffs, fiscal, data)."""
        q, mac = self.q, self.model.macro
        return -q.eps_per_tariff * mac.tariff_change() + q.eps_per_growth * mac.earnings_growth_news()

    def _policy_values(self) -> np.ndarray:
        """The news path's log value per asset (since day 0)."""
        q, m = self.q, self.model.market
        liq = self.model.fed.liquidity
        risk = -q.erp_duration * self.erp_change()             # the index's risk-appetite move
        v = np.zeros(m.n)
        v[m._eq] = self.eps_news() + self.beta[m._eq] * (risk + q.liquidity_beta_equity * liq)   # the equities lead
        # BTC on risk appetite and on the data's growth news: btc_risk_beta's source (G3–G5) is BTC's
        # move per unit of the S&P's whole move on data days (a growth scare sells BTC too: 2 Aug 2024
        # S&P −1.8%, BTC ≈ −6%). Tariffs' and fiscal earnings news stay out: on tariff days BTC fell
        # less than the S&P (3–4 Apr 2025: ≈ −4% against −10.8% over the two days), as the risk part gives
        v[m.btc] = (self.btc_risk_beta * (risk + q.eps_per_growth * self.model.macro.data_growth_news())
                    + q.liquidity_beta_btc * liq)
        v[m.ust10] = -self.D_bond * (self.y_fair - self.y_fair0)
        return v

    # ----- the day ---------------------------------------------------------------------------
    def update(self) -> None:
        m = self.model.market
        self.base += self.drift
        fed = self.model.fed
        p1 = fed.path_average(1.0)
        ahead = max(0, fed.next_meeting - self._path0[1]) / self.ann       # the window day 0's path had for it
        news = p1 - fed.path_window_average(self._path0, 1.0, ahead)
        self.overreaction = self.or_decay * self.overreaction + self.q.term_premium_overreaction * (news - self.path_news)
        self.path1, self.path_news = p1, news
        self.y_fair = self._fair_yield_raw()
        dy = self.y_fair - self.y_fair0
        v = self.base.copy()
        v[m._eq] -= self.D_eq * dy                     # the equities (a slice: they lead)
        v[m.btc] -= self.D_btc * dy
        v[m.ust10] = 0.0
        m.set_log_values(v)
        target = self._policy_values()
        m.news += target - self.policy_logv
        self.policy_logv = target
        # policy uncertainty adds U points to implied vol: the market factor's σ is scaled by
        # 1 + U / VOL_base, VOL_base the implied vol without it (yesterday's VOL_1M / its scale)
        nu = m.news_process.uncertainty
        vol_base = 100.0 * self.model.vol.vol_1m / nu[self.f_market]
        nu[self.f_market] = 1.0 + self.model.macro.uncertainty / vol_base
