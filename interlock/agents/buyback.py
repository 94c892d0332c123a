"""Corporate buyback desks (MODEL.md §3.3; seeds/001: the largest net buyer — open windows bid,
blackouts weak; seeds/003: bans).

One desk per listed interlock firm and REST as cohorts with staggered earnings dates. Decision
rule, per desk each day:
    quarterly budget B = payout share × max(0, OCF − capex)/4 × (1 − ban share) × (1 − e·tax)
    intensity  = 1 in an open window, `blackout_volume_share` (10b5-1 plans) in blackout
    grid       = 1 + slope · max(0, −r_yesterday / σ_d), capped      (buy more on down days)
    order      = remaining budget × intensity × grid / (remaining intensity this quarter)
Blackout runs from `blackout_before_days` before each earnings date to `blackout_after_days`
after. The firm block (issue #3) updates OCF − capex, so an AI capex boom crowds buybacks out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import ParamView, RunParams
from ..inputs.firms import load_firms
from ..inputs.snapshots import firms_path
from . import jit
from .base import Member, Population, add_reduce

QUARTERS_PER_YEAR = 4.0      # a unit: annual cash flows → quarterly budgets


@dataclass(frozen=True)
class BuybackParams(ParamView, section="buyback"):
    """What the buyback desks read (interlock/data/params/buyback.toml, [buyback]); the firms' cash
    flows come from the run's snapshot firms file (`inputs.snapshots.firms_path`)."""

    sp500_annual: float                # USD bn / year: all S&P 500 buybacks (REST = the rest)
    rest_cohorts: int                  # desks REST's buybacks are split into
    earnings_day: dict[str, int]       # trading day of each listed firm's first earnings date
    rest_earnings_first: int           # trading day: REST cohorts' earnings dates span
    rest_earnings_last: int            #   this range, evenly
    blackout_before_days: int          # trading days before earnings the blackout starts
    blackout_after_days: int           # trading days after earnings it ends
    blackout_volume_share: float       # share of normal volume bought in blackout (10b5-1 plans)
    grid_slope: float                  # extra volume per daily s.d. of yesterday's decline
    grid_max: float                    # x normal volume at most
    tax_elasticity: float              # budget cut per unit buyback-tax rate


class BuybackDesk(Member):
    """A firm's (or a REST cohort's) share-repurchase desk."""

    @property
    def firm(self) -> str:
        return self.population.desk_names[self.row]

    @property
    def window_open(self) -> bool:
        return bool(self.population.window_open()[self.row])

    @property
    def remaining_budget(self) -> float:
        return float(self.population.remaining[self.row])


class BuybackBook(Population):
    agent_class = "buyback"
    member_type = BuybackDesk

    def __init__(self, model, rng):
        q = self.q = BuybackParams.from_params(model.params)
        m = model.market
        firms = load_firms(firms_path(model.params))
        listed = firms[firms["listed"] & firms["ticker"].isin(m.names)]
        names = list(listed["ticker"])
        fcf = (listed["operating_cash_flow_bn"] - listed["capex_bn"]).to_numpy(float)
        bb = listed["buyback_bn"].to_numpy(float)
        payout = np.where(fcf > 0, bb / np.maximum(fcf, 1e-9), 0.0)
        k = q.rest_cohorts
        rest_total = max(0.0, q.sp500_annual - bb[[n in m.names for n in names]].sum())
        self.desk_names = names + [f"REST-{i + 1}" for i in range(k)]
        super().__init__(model, len(self.desk_names), rng)
        self.asset = np.array([m.idx[n] for n in names] + [m.idx["REST"]] * k)
        # REST: payout share 1 of an implied cash flow equal to its buyback budget
        self.payout = np.concatenate([payout, np.ones(k)])
        self.fcf_annual = np.concatenate([fcf, np.full(k, rest_total / k)])
        ed = [q.earnings_day[n] for n in names]
        ed += list(np.linspace(q.rest_earnings_first, q.rest_earnings_last, k).round().astype(int))
        self.earnings_day = np.array(ed, dtype=int)
        self.q_len = RunParams.from_params(model.params).days_per_quarter
        self.before = q.blackout_before_days
        self.after = q.blackout_after_days
        self.blackout_share = q.blackout_volume_share
        self.grid_slope = q.grid_slope
        self.grid_max = q.grid_max
        self.tax_elasticity = q.tax_elasticity
        self.ban_share = np.zeros(self.n)
        self.tax_rate = 0.0
        self.remaining = np.zeros(self.n)
        self.spent_today = np.zeros(self.n)
        # intensity profile over a quarter, per desk (phase = day mod quarter)
        phase = np.arange(self.q_len)
        rel = (phase[None, :] - self.earnings_day[:, None]) % self.q_len       # days since earnings
        in_blackout = (rel < self.after) | (rel >= self.q_len - self.before)
        self.intensity_profile = np.where(in_blackout, self.blackout_share, 1.0)   # (n, q_len)
        self._steps = phase                       # 0 … q_len − 1: the quarter's days still to come
        # one order per desk, in its firm's column: its cell in the flattened orders (put)
        self._cells = np.arange(self.n) * m.n_instr + self.asset
        self._remaining_intensity: dict[tuple[int, int], np.ndarray] = {}
        self._budget_for: tuple | None = None
        self._fk = jit.if_on(jit.fast_agents)      # agents/jit.py: when the kernels run
        self._start_quarter(0)

    def quarterly_budget(self) -> np.ndarray:
        # a function of the tax rate, payouts, cash flows and bans alone, which move at billing or
        # with a shock: kept until one of them changes (a copy is returned; issue #16)
        key = (self.tax_rate, self.payout.tobytes(), self.fcf_annual.tobytes(), self.ban_share.tobytes())
        if key != self._budget_for:
            tax = max(0.0, 1.0 - self.tax_elasticity * self.tax_rate)
            self._budget = (self.payout * np.maximum(self.fcf_annual, 0.0) / QUARTERS_PER_YEAR
                            * (1.0 - self.ban_share) * tax)
            self._budget_for = key
        return self._budget.copy()

    def expected_annual_flow(self) -> np.ndarray:
        """USD bn a year each primitive asset's desks are expected to buy at today's budgets (four
        quarters; the grid and the windows move purchases within a quarter, not the total)."""
        return np.bincount(self.asset, weights=QUARTERS_PER_YEAR * self.quarterly_budget(),
                           minlength=self.market.n)

    def _start_quarter(self, day: int) -> None:
        self.quarter_start = day
        self.remaining = self.quarterly_budget()

    def window_open(self, day: int | None = None) -> np.ndarray:
        d = self.model.day if day is None else day
        return self.intensity_profile[:, d % self.q_len] >= 1.0

    def voluntary_orders(self) -> np.ndarray:
        m = self.market
        day = self.model.day
        if day - self.quarter_start >= self.q_len:
            self._start_quarter(day)
        phase_now = day % self.q_len
        left = self.q_len - (day - self.quarter_start)
        remaining_intensity = self._remaining_intensity.get((phase_now, left))
        if remaining_intensity is None:      # the profile is fixed: each (phase, days left) summed once
            phases = (phase_now + self._steps[:left]) % self.q_len
            remaining_intensity = self._remaining_intensity[(phase_now, left)] = (
                self.intensity_profile[:, phases].sum(axis=1))
        if self._fk is not None:             # the same orders from one fused kernel (`_fast_agents.py`)
            remaining, amount = np.empty(self.n), np.empty(self.n)
            orders = np.zeros((self.n, m.n_instr))
            self._fk.buyback_orders(self.asset, m.last_returns, m.var_fast, float(self.grid_slope), float(self.grid_max),
                                   self.remaining, self.quarterly_budget(), self.intensity_profile, phase_now,
                                   remaining_intensity, self._cells, remaining, amount, orders.reshape(-1))
            self.remaining, self.spent_today = remaining, amount
            return orders
        today = self.intensity_profile[:, phase_now]
        r_prev = m.last_returns[self.asset]
        sd = np.sqrt(m.var_fast[self.asset])
        grid = np.minimum(1.0 + self.grid_slope * np.maximum(0.0, -r_prev / sd), self.grid_max)
        budget_cap = self.quarterly_budget()          # bans/taxes bind mid-quarter too
        self.remaining = np.minimum(self.remaining, budget_cap)
        amount = np.minimum(self.remaining * today * grid / np.maximum(remaining_intensity, 1e-9),
                            self.remaining)
        amount = np.maximum(amount, 0.0)
        self.remaining -= amount
        self.spent_today = amount
        orders = np.zeros((self.n, m.n_instr))
        orders.put(self._cells, amount)            # desk i's amount in its firm's column
        return orders

    def fill(self, orders: np.ndarray, prices: np.ndarray) -> None:
        # repurchased shares are retired: the desk holds nothing, the firm's cash pays
        self.cash -= add_reduce(orders, 1)

    def columns(self) -> list[str]:
        return ["buyback_spend_bn", "buyback_open_share"]

    def record(self) -> dict[str, float]:
        open_ = self.window_open()
        weights = self.fcf_annual * self.payout
        share = float(add_reduce(open_ * weights, None) / max(add_reduce(weights, None), 1e-12))
        return {"buyback_spend_bn": float(add_reduce(self.spent_today, None)), "buyback_open_share": share}
