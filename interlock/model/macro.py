"""The macro block (issue #13; MODEL.md §3.7): growth, core inflation, the output gap and
unemployment, the effective tariff rate, the fiscal stance and policy uncertainty. Sources:
docs/validation.md, "Policy transmission".

Daily dynamics (AR(1) pulls toward anchors that shocks move):

    base outlook   = potential + AI-capex contribution − tariff drag · Δτ − multiplier · fiscal cut
                     + growth news                                                     (exogenous)
    growth outlook = base outlook − (wealth effect · equity drawdown + W)             (what the Fed reads)
    growth        → base outlook − wealth effect · 252 · (the averaged drawdown's daily change)
                    − IS slope · (real policy rate − its start)
    gap          += (growth − potential) / 252;    unemployment = u* − gap / Okun

The wealth effect moves the *level* of output: a fall in stock wealth lowers spending by a few cents
a dollar a year (Chodorow-Reich, Nenov & Simsek 2021), so output falls by `wealth_effect` × the
drawdown and stays there while the drawdown lasts — growth reads the drawdown's change, and the gap
integrates it back to the level. The Fed's growth *outlook* reads the part of that level effect the
gap does not hold yet, −wealth effect · drawdown − W (W: the wealth effect's part of the gap, the same
linear dynamics run on the wealth term alone): on the day of a sell-off all of it (its revision of the
year ahead; Cieslak & Vissing-Jorgensen 2021), nothing once output has fallen, so the rule's year-ahead
gap tends to the realised one. Read as growth instead (before 2026-12-03), a
drawdown that lasted lowered growth every year it lasted, and the gap kept falling: over 3,000-day
baselines it averaged −5 … −9% for a decade on three of ten seeds, with the policy rate at zero and
inflation at 0.5% (docs/validation.md, "The Fed").
    underlying   → π* + Phillips slope · gap + inflation news
    tariff price → passthrough · (τ − τ_ref)        (a one-time rise of the core price level)
    core PCE      = underlying + (tariff price today − a year ago)

τ is the effective tariff rate (a level; a pause or removal is a negative change, never below
zero). A tariff changes the core price level once; its part of y/y inflation fades after a year
(the Fed looks through part of it, `fed.tariff_look_through`). At day 0 the 2025 tariffs are
still passing through: `tariff_inflation0` of the starting core PCE is theirs (its past year is a
linear ramp). Policy uncertainty U (implied-vol points) jumps on tariff announcements (saturating
at `uncertainty_max`), falls on reversals and decays with `uncertainty_half_life_days`; the
valuation channel turns it into news variance and a risk premium.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..agents.fed import FedParams
from ..config import Params, ParamView, RunParams
from ..errors import InputError


@dataclass(frozen=True)
class MacroParams(ParamView, section="macro"):
    """The macro block (interlock/data/params/fed.toml, [macro])."""

    growth: float                      # annual real GDP growth at day 0
    potential_growth: float            # annual: growth's anchor without shocks
    inflation: float                   # annual core PCE (y/y) at day 0
    unemployment: float                # unemployment rate at day 0
    natural_unemployment: float        # u*: the unemployment rate at a zero output gap
    okun_coefficient: float            # output gap per unit of unemployment above u*
    output_gap_bound: float            # share of potential: |gap| is held below it
    growth_half_life_days: float       # days: growth's pull toward its anchor
    inflation_half_life_days: float    # days: underlying inflation's pull toward its anchor
    phillips_slope: float              # inflation per unit output gap
    tariff_rate: float                 # the effective tariff rate at day 0
    tariff_reference_rate: float       # the effective rate before the 2025 tariffs
    tariff_passthrough: float          # core price level per unit of tariff rate (full pass-through)
    tariff_passthrough_half_life_days: float  # days: how fast a tariff reaches the price level
    tariff_inflation0: float           # the 2025 tariffs' part of core PCE y/y at day 0
    tariff_growth_drag: float          # growth per unit effective tariff rate
    tariff_effect_cap: float           # effective tariff rate above which a rise has no further effect
    fiscal_multiplier: float           # growth per unit spending cut / GDP
    deficit: float                     # share of GDP at day 0
    ai_capex_growth_share: float       # growth per unit of AI capex growth / GDP
    is_slope: float                    # growth per unit real-rate gap (IS curve)
    wealth_effect: float               # growth per unit S&P drawdown
    drawdown_half_life_days: float     # days: the S&P drawdown the outlook reads is averaged this slowly
    gdp: float                         # USD bn, nominal annual
    uncertainty_half_life_days: float  # days: policy uncertainty's decay
    uncertainty_per_tariff: float      # vol points per unit of tariff rise (before saturation)
    uncertainty_relief_per_tariff: float  # vol points removed per unit of tariff cut
    uncertainty_max: float             # vol points: the tariff impulse saturates here


class Macro:
    def __init__(self, p: Params):
        q = self.q = MacroParams.from_params(p)
        self.ann = RunParams.from_params(p).trading_days_per_year
        self.growth = q.growth
        self.potential = q.potential_growth
        self.u_star = q.natural_unemployment
        self.okun = q.okun_coefficient
        self.output_gap = -q.okun_coefficient * (q.unemployment - q.natural_unemployment)
        self.gap_bound = q.output_gap_bound
        self.inflation_target = FedParams.from_params(p).inflation_target
        self.a_g = 1.0 - 0.5 ** (1.0 / q.growth_half_life_days)
        self.a_pi = 1.0 - 0.5 ** (1.0 / q.inflation_half_life_days)
        self.a_tau = 1.0 - 0.5 ** (1.0 / q.tariff_passthrough_half_life_days)
        self.u_decay = 0.5 ** (1.0 / q.uncertainty_half_life_days)
        self.phillips = q.phillips_slope
        self.passthrough = q.tariff_passthrough
        self.tariff_drag = q.tariff_growth_drag
        self.fiscal_multiplier = q.fiscal_multiplier
        self.ai_share = q.ai_capex_growth_share
        self.is_slope = q.is_slope
        self.wealth_effect = q.wealth_effect
        self.dd_decay = 0.5 ** (1.0 / q.drawdown_half_life_days)
        self.gdp = q.gdp
        self.deficit = q.deficit
        self.rate_gap = 0.0            # real policy rate − its start, set each day by the model
        self.equity_drawdown = 0.0
        self.drawdown_change = 0.0     # today's change of the averaged drawdown (the level effect's growth)
        self.wealth_growth = 0.0       # the wealth effect's part of growth (annual)
        self.wealth_gap = 0.0          # W: the wealth effect's part of the output gap (its level so far)
        self.tariff_rate = q.tariff_rate   # the effective tariff rate (a level)
        self.tariff_rate0 = q.tariff_rate
        self.fiscal_cut = 0.0          # spending cut, share of GDP (negative: stimulus), set by shocks
        self.growth_news = 0.0         # shift of the growth outlook by data shocks
        self.inflation_news = 0.0      # shift of the inflation anchor by data shocks
        self.gap_news = 0.0            # jumps of the output gap by data shocks (unemployment surprises)
        self.uncertainty = 0.0         # policy uncertainty, implied-vol points
        self.ai_capex_growth_bn = 0.0  # y/y change in AI capex, USD bn/yr, set by the firm block
        # the tariff part of core inflation: the price-level effect and its past year (a ramp from
        # zero to today's effect: the 2025 tariffs started reaching prices within the past year)
        days = int(self.ann)
        self.tariff_price = q.tariff_inflation0
        self._tariff_hist = np.linspace(0.0, q.tariff_inflation0, days + 1)[:-1]   # days t−252 … t−1
        self._hist_pos = 0
        self.underlying = q.inflation - q.tariff_inflation0
        self.inflation = q.inflation

    # ----- derived ---------------------------------------------------------------------------
    @property
    def unemployment(self) -> float:
        return self.u_star - self.output_gap / self.okun

    @property
    def tariff_inflation(self) -> float:
        """The tariffs' part of core PCE y/y: the price-level effect today minus a year ago."""
        return self.tariff_price - self._tariff_hist[self._hist_pos]

    def effective_tariff(self) -> float:
        """The tariff rate the effects read: the level, capped at `tariff_effect_cap` (the sources
        give no estimate above ≈ 30%)."""
        return min(self.tariff_rate, self.q.tariff_effect_cap)

    def tariff_change(self) -> float:
        """Change of the effective tariff rate since day 0 (after the cap)."""
        return self.effective_tariff() - min(self.tariff_rate0, self.q.tariff_effect_cap)

    def growth_outlook(self, drawdown: float | None = None) -> float:
        """The exogenous growth anchor: what the Fed and the market read as the growth outlook.
        `drawdown`: the S&P drawdown to read (default: the one of the last step)."""
        dd = self.equity_drawdown if drawdown is None else drawdown
        return self._base_outlook() - self.wealth_effect * dd - self.wealth_gap

    def _base_outlook(self) -> float:
        """The outlook without the wealth effect: potential, AI capex, tariffs, fiscal policy, data."""
        return (self.potential + self.ai_share * self.ai_capex_growth_bn / self.gdp
                - self.tariff_drag * self.tariff_change() - self.fiscal_multiplier * self.fiscal_cut
                + self.growth_news)

    def growth_anchor(self) -> float:
        """Growth's anchor: the outlook with the wealth effect as a level (its change, annualised, in
        place of its level), less the IS term of the real policy rate."""
        return self._base_outlook() - self.wealth_effect * self.ann * self.drawdown_change - self.is_slope * self.rate_gap

    def earnings_growth_news(self) -> float:
        """Growth news priced into earnings on the day (exogenous shifts only, not the wealth
        effect or the policy rate): tariffs, fiscal, data; unemployment surprises count through the
        output-gap jump they make."""
        return (-self.tariff_drag * self.tariff_change() - self.fiscal_multiplier * self.fiscal_cut
                + self.growth_news + self.gap_news)

    def data_growth_news(self) -> float:
        """The part of `earnings_growth_news` that data surprises made (the growth outlook's news and
        the output-gap jumps of unemployment surprises), without tariffs and fiscal policy."""
        return self.growth_news + self.gap_news

    def inflation_anchor(self) -> float:
        """Underlying core inflation's anchor (the tariff part is added to it separately)."""
        return self.inflation_target + self.phillips * self.output_gap + self.inflation_news

    # ----- shocks ----------------------------------------------------------------------------
    def change_tariff(self, change: float, day: int = 0) -> None:
        """A tariff announcement (change > 0) or a pause/removal (change < 0): the level moves,
        uncertainty jumps (saturating) or is relieved. A cut below zero is refused."""
        if self.tariff_rate + change < -1e-12:
            raise InputError(f"a tariff change of {change:+.4g} on day {day} would take the effective "
                             f"tariff rate below zero (it is {self.tariff_rate:.4g})", file="shocks",
                             key="tariff.rate", allowed=f"a change ≥ {-self.tariff_rate:.4g} (−the current rate)")
        q = self.q
        self.tariff_rate = max(0.0, self.tariff_rate + change)
        if change > 0:
            self.add_uncertainty(q.uncertainty_max * (1.0 - math.exp(-q.uncertainty_per_tariff * change
                                                                      / q.uncertainty_max)))
        else:
            self.add_uncertainty(q.uncertainty_relief_per_tariff * change)

    def add_uncertainty(self, points: float) -> None:
        """Raise (or, negative, relieve) policy uncertainty by `points`; it never goes below zero."""
        self.uncertainty = max(0.0, self.uncertainty + points)

    def surprise(self, inflation: float = 0.0, unemployment: float = 0.0, growth: float = 0.0) -> None:
        """Data news: inflation jumps and its anchor moves (persistent), unemployment jumps (the gap
        by −Okun × the jump), the growth outlook shifts."""
        self.underlying += inflation
        self.inflation += inflation
        self.inflation_news += inflation
        jump = -self.okun * unemployment
        self.output_gap = max(-self.gap_bound, min(self.gap_bound, self.output_gap + jump))
        self.gap_news += jump
        self.growth_news += growth

    # ----- the day ---------------------------------------------------------------------------
    def step(self, rate_gap: float = 0.0, equity_drawdown: float = 0.0) -> None:
        self.rate_gap = rate_gap
        # the outlook (and the Fed, which reads it) follows sustained declines, not one close
        dd = self.dd_decay * self.equity_drawdown + (1.0 - self.dd_decay) * equity_drawdown
        self.drawdown_change = dd - self.equity_drawdown
        self.equity_drawdown = dd
        # the wealth effect's own part of growth and of the gap (growth and the gap are linear in it)
        self.wealth_growth += self.a_g * (-self.wealth_effect * self.ann * self.drawdown_change - self.wealth_growth)
        self.wealth_gap += self.wealth_growth / self.ann
        self.uncertainty *= self.u_decay
        self.growth += self.a_g * (self.growth_anchor() - self.growth)
        self.underlying += self.a_pi * (self.inflation_anchor() - self.underlying)
        self._tariff_hist[self._hist_pos] = self.tariff_price          # the oldest entry leaves
        self._hist_pos = (self._hist_pos + 1) % self._tariff_hist.size
        target = self.passthrough * (self.effective_tariff() - self.q.tariff_reference_rate)
        self.tariff_price += self.a_tau * (target - self.tariff_price)
        self.inflation = self.underlying + self.tariff_inflation
        self.output_gap += (self.growth - self.potential) / self.ann
        self.output_gap = max(-self.gap_bound, min(self.gap_bound, self.output_gap))
        if not math.isfinite(self.growth + self.inflation + self.uncertainty):
            raise FloatingPointError("macro block produced a non-finite value")
