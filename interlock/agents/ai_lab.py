"""AI labs of the capital interlock (MODEL.md §3.4): OpenAI, Anthropic, xAI. A lab buys compute
per its contracts (the supply deals it is the buyer of) and pays for it from its revenue margin,
its investors' scheduled tranches and outside rounds.

What a lab decides (the interlock block calls these rules on funding days and books the result)
- Its **net burn** over the next year (USD bn/yr):

      b = max(contracted purchases next year − operating cash − scheduled investments in, 0)

- **When to raise**: once its cash falls below the minimum runway, cash < b · R_min
  (R_min = min_runway_days / trading days a year). At current rates that is
  ⌊(cash − b·R_min) / daily cash burn⌋ days from now (`next_round_day`).
- **A round** restores the target runway R_target: it needs `need = b · R_target − cash` and raises

      equity = min(need, outside capacity)
      outside capacity = f_out · value · sentiment · appetite − raised outside in the last year
      debt   = min(need − equity, max(d_lab · value − debt, 0))

- **Commitment cuts**: if its cash still falls short of the minimum runway, it cuts its remaining
  contracted purchases pro rata (every seller loses the same share):

      cut = min(c_max, (b − max(cash, 0) / R_min) / contracted purchases next year)

`sentiment` is outside investors' appetite for AI (`investor.outside_sentiment`); `appetite` is
1 unless a `lab_funding_gap` shock dries it up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import ParamView

MIN_AMOUNT_BN = 1e-9      # USD bn: smaller rounds or loans are rounding, not a decision
MIN_CUT_SHARE = 1e-6      # smaller commitment cuts are not made (rounding of the runway arithmetic)
MIN_PURCHASES_BN = 1e-9   # guard: a lab with no contracted purchases cannot cut any


@dataclass(frozen=True)
class FundingParams(ParamView, section="interlock.funding"):
    """How money reaches the labs, and on what terms (interlock/data/params/interlock.toml,
    [interlock.funding]). Read by the labs (this module), their investors (`investor`) and the
    interlock block's lenders (DebtRank losses, the AI credit spread)."""

    # the lab (this module)
    min_runway_days: int               # R_min: a lab raises below this runway, trading days of burn
    target_runway_days: int            # R_target: a round buys this runway
    lab_debt_share: float              # d_lab: share of its valuation a lab can borrow
    max_cut: float                     # c_max: share of commitments cut per funding failure
    outside_capacity_share: float      # f_out: share of its valuation raisable per year outside the graph
    # its investors (agents/investor.py)
    momentum_elasticity: float         # β_m: log willingness per unit 63-day log return
    cash_elasticity: float             # β_c: log willingness per unit log(cash / starting cash)
    max_sentiment: float               # cap of outside investors' AI sentiment
    # lenders (the interlock block's DebtRank and credit spread)
    loss_given_distress: float         # share of a distressed borrower's loss passed to lenders
    lender_capital_bn: float           # USD bn: the 'other' lenders' capital
    credit_spread: float               # the AI complex's starting borrowing spread
    spread_per_distress: float         # spread per unit of lenders' DebtRank distress
    min_new_distress: float            # new distress below this is not propagated


def runways(q: FundingParams, days_per_year: float) -> tuple[float, float]:
    """(R_min, R_target) in years."""
    return q.min_runway_days / days_per_year, q.target_runway_days / days_per_year


def net_burn(purchases_next_year: np.ndarray, operating: np.ndarray, equity_in: np.ndarray) -> np.ndarray:
    """b = max(contracted purchases − operating cash − scheduled investments in, 0) over the next
    year, per firm (USD bn/yr)."""
    return np.maximum(purchases_next_year - operating - equity_in, 0.0)


def needs_round(cash: float, burn: float, min_runway: float) -> bool:
    """A lab that burns cash raises once its cash is below b · R_min."""
    return not (cash >= burn * min_runway or burn <= 0)


def next_round_day(day: int, cash: np.ndarray, burn: np.ndarray, cash_change: np.ndarray,
                   min_runway: float) -> int | None:
    """The first day a lab's cash falls below its minimum runway at the current daily cash
    change (today if one already has), or None if none does (arrays: one entry per lab)."""
    due = None
    for i in range(len(cash)):
        floor = burn[i] * min_runway
        if cash[i] < floor:
            return day
        if cash_change[i] < 0:
            d = day + int((cash[i] - floor) / -cash_change[i])
            due = d if due is None else min(due, d)
    return due


def outside_capacity(value: float, sentiment: float, appetite: float, raised_last_year: float,
                     q: FundingParams) -> float:
    """Outside money a lab can raise now: f_out · value · sentiment · appetite, less what it raised
    outside in the last year."""
    return max(0.0, q.outside_capacity_share * value * sentiment * appetite - raised_last_year)


@dataclass(frozen=True)
class FundingRound:
    """A lab's funding decision (USD bn; 0 = none) and the share of its commitments it cuts."""

    equity: float
    debt: float
    cut: float


def funding_round(cash: float, burn: float, purchases_next_year: float, outside: float, debt: float,
                  value: float, q: FundingParams, min_runway: float, target_runway: float) -> FundingRound:
    """The round of a lab below its minimum runway (module docstring): outside equity, then debt,
    then — if the runway is still short — a pro-rata cut of its commitments. `outside` is its
    outside capacity now (`outside_capacity`)."""
    floor = burn * min_runway
    need = burn * target_runway - cash
    eq = min(need, outside)
    equity = eq if eq > MIN_AMOUNT_BN else 0.0
    if equity:
        cash += equity
    loan = min(need - eq, max(0.0, q.lab_debt_share * value - debt))
    loan = loan if loan > MIN_AMOUNT_BN else 0.0
    if loan:
        cash += loan
    cut = 0.0
    if cash < floor:
        # cut purchases so that the cash left covers the minimum runway
        affordable = max(cash, 0.0) / min_runway
        cut = min(q.max_cut, (burn - affordable) / max(purchases_next_year, MIN_PURCHASES_BN))
        cut = cut if cut > MIN_CUT_SHARE else 0.0
    return FundingRound(equity=float(equity), debt=float(loan), cut=float(cut))
