"""Capex spenders of the AI capital interlock (MODEL.md §3.4): hyperscalers (MSFT, GOOGL, AMZN,
META, ORCL) and neoclouds (CoreWeave, Nebius) — and the treasury rule that every firm but the AI
labs follows (chip vendors too).

What a hyperscaler decides
1. **Capex**, quarterly on its guidance (earnings) day. Next year's planned log growth of its capex
   run-rate is

       x = g_plan(t)                                     its growth guided at the start, fading
                                                         linearly to g∞ over the high-growth horizon
         + a_u · ln(u₊₁ / u*)                            utilisation a year ahead (today's demand grown
                                                         as expected, over the capacity the capex already
                                                         spent will build) against the operators' target
                                                         level u* (ComputeMarket.utilisation_gap)
         − a_s · ln(1 + stranded / energised capacity)   capacity that waits for power
         + a_rev · clip(ln(AI revenue / plan), ±s_max)   AI revenue surprise
         + a_m · r₆₃ + a_v · ln(price / value)           stock momentum, cheap equity (listed firms)
         − a_r · (c − c₀)                                the rise of the cost of capital

   bounded to ±Q·Δ_max (Q = quarters a year, Δ_max = max_quarterly_change). Then

       guidance = min(capex · eˣ, room)
       capex'   = max(min(capex · exp(clip(x / Q, ±Δ_max)), room), 0)

   the run-rate moves a quarter of the way at once; right after a shock only the guidance (what
   the market expects) is revised. At the start, guidance is capped at what the firm can fund.
2. **What it can fund next year** (`room`):

       room          = max(OCF, 0) + max(cash − c_f · revenue, 0) + max(debt capacity − debt, 0) + equity room
       debt capacity = max(λ · max(OCF, 0), α · backlog)      leverage on cash flow, or an advance on
                                                             contracted backlog (neoclouds, Oracle)
       equity room   = s_eq · market cap − shares sold in the last year          (listed firms)

3. **Treasury** (every firm but the labs and the 'other suppliers' node): when cash falls below
   the floor c_f · revenue it borrows min(floor − cash, debt room), then sells
   min(floor − cash, equity room) of new shares.

The interlock block (`interlock.model.interlock.block`) gathers the signals, calls these rules and
books the results in its ledger; nothing here reads the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from ..config import ParamView

MIN_AMOUNT_BN = 1e-9          # USD bn: smaller borrowing or share sales are rounding, not a decision
MIN_SURPRISE_LEVEL = 1e-12    # floor of actual/planned AI revenue before the log (a firm with none)


@dataclass(frozen=True)
class CapexParams(ParamView, section="interlock.capex"):
    """What a capex spender reads (interlock/data/params/interlock.toml, [interlock.capex])."""

    # the quarterly capex rule
    utilisation_elasticity: float      # a_u: growth per unit log utilisation gap
    stranded_elasticity: float         # a_s: growth per unit ln(1 + stranded / energised)
    revenue_growth_elasticity: float   # a_rev: growth per unit AI revenue surprise
    max_revenue_surprise: float        # s_max: bound of the revenue surprise, log points
    momentum_elasticity: float         # a_m: growth per unit 63-day log return of the stock
    valuation_elasticity: float        # a_v: growth per unit ln(price / value)
    cost_of_capital_elasticity: float  # a_r: growth per unit rise in the cost of capital
    max_quarterly_change: float        # Δ_max: log change of the run-rate per quarter
    # what it can fund
    leverage_max: float                # λ: debt / operating cash flow
    backlog_advance_rate: float        # α: debt per $ of contracted backlog
    equity_issuance_share: float       # s_eq: share of market cap sellable per year
    cash_floor_share: float            # c_f: cash kept, share of annual revenue
    ocf_capex_share: float             # incremental operating cash per $ of incremental revenue (the block's accounts)


def fade(g0, t: float, horizon: float, g_inf: float):
    """A growth rate that starts at g0 on day 0 and fades linearly to g_inf at the horizon (years):
    w·g0 + (1 − w)·g∞ with w = max(0, 1 − t / horizon)."""
    w = max(0.0, 1.0 - t / horizon) if horizon > 0 else 0.0
    return w * g0 + (1.0 - w) * g_inf


def revenue_surprise(level: float, miss: float) -> float:
    """ln(actual / planned AI revenue): the level against plan from the compute market
    (efficiency, adoption, GPU-hour prices) × earnings misses."""
    return math.log(max(level * miss, MIN_SURPRISE_LEVEL))


@dataclass(frozen=True)
class CapexSignals:
    """What a spender sees on its guidance day (gathered by the interlock block)."""

    capex: float                    # current capex run-rate, USD bn/yr
    planned_growth: float           # g_plan(t): its starting guidance growth, faded (`fade`)
    utilisation_gap: float          # ln(utilisation a year ahead / target utilisation)
    stranded_ratio: float           # capacity waiting for power / energised capacity
    revenue_surprise: float         # ln(actual / planned AI revenue) (`revenue_surprise`)
    cost_of_capital_change: float   # cost of capital now − at the start (annual)
    funding_room: float             # what it can fund next year, USD bn (`funding_room`)
    quarters_per_year: float        # Q
    momentum: float | None = None   # 63-day log return of its stock (listed firms)
    mispricing: float | None = None  # ln(price / fundamental value) (listed firms)


@dataclass(frozen=True)
class CapexPlan:
    """A spender's decision: next year's guidance and the run-rate from today (USD bn/yr)."""

    guidance: float
    capex: float


def decide_capex(s: CapexSignals, q: CapexParams) -> CapexPlan:
    """The quarterly capex rule (module docstring, 1.)."""
    x = s.planned_growth
    x += q.utilisation_elasticity * s.utilisation_gap
    x -= q.stranded_elasticity * math.log1p(s.stranded_ratio)
    x += q.revenue_growth_elasticity * min(max(s.revenue_surprise, -q.max_revenue_surprise), q.max_revenue_surprise)
    if s.momentum is not None:
        x += q.momentum_elasticity * s.momentum + q.valuation_elasticity * s.mispricing
    x -= q.cost_of_capital_elasticity * s.cost_of_capital_change
    year = s.quarters_per_year * q.max_quarterly_change
    x = min(max(x, -year), year)
    room = s.funding_room
    step = min(max(x / s.quarters_per_year, -q.max_quarterly_change), q.max_quarterly_change)
    return CapexPlan(guidance=float(min(s.capex * math.exp(x), room)),
                     capex=float(max(min(s.capex * math.exp(step), room), 0.0)))


def guidance_at_start(guidance: float, capex: float, room: float) -> float:
    """The guidance a spender starts with: what it announced, capped at what it can fund (but
    never below its current run-rate)."""
    return min(guidance, max(room, capex))


def debt_capacity(operating: np.ndarray, backlog: np.ndarray, q: CapexParams) -> np.ndarray:
    """Debt each firm can carry: max(λ · max(OCF, 0), α · backlog) — leverage on its operating
    cash flow, or an advance on its contracted backlog (module docstring, 2.)."""
    return np.maximum(q.leverage_max * np.maximum(operating, 0.0), q.backlog_advance_rate * backlog)


def equity_room(market_cap: np.ndarray, sold_last_year: Iterable[tuple[int, float]], q: CapexParams) -> np.ndarray:
    """New shares each firm can still sell this year: s_eq · market cap (0 for unlisted firms),
    less what it sold in the last year (`sold_last_year`: (firm row, USD bn) pairs)."""
    room = q.equity_issuance_share * market_cap
    for i, amount in sold_last_year:
        room[i] -= amount
    return np.maximum(room, 0.0)


def cash_floor(revenue, q: CapexParams):
    """Cash a firm keeps: c_f × annual revenue."""
    return q.cash_floor_share * revenue


def funding_room(operating: float, cash: float, revenue: float, debt_capacity: float, debt: float,
                 equity_room: float, q: CapexParams) -> float:
    """Capex a firm can fund next year: operating cash flow + cash above its floor + debt room +
    new shares it can sell (module docstring, 2.)."""
    floor = cash_floor(revenue, q)
    return max(0.0, operating) + max(0.0, cash - floor) + max(0.0, debt_capacity - debt) + equity_room


@dataclass(frozen=True)
class Treasury:
    """How a firm covers a cash shortfall: new debt, then new shares (USD bn; 0 = none)."""

    borrow: float
    sell_shares: float


def cover_shortfall(cash: float, floor: float, debt_room: float, equity_room: float) -> Treasury:
    """The treasury rule (module docstring, 3.): borrow up to the debt room what brings cash back
    to its floor, then sell new shares up to the equity room for the rest."""
    debt = min(floor - cash, debt_room)
    debt = debt if debt > MIN_AMOUNT_BN else 0.0
    if debt:
        cash += debt
    shares = min(floor - cash, equity_room)
    return Treasury(borrow=debt, sell_shares=shares if shares > MIN_AMOUNT_BN else 0.0)
