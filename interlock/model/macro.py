"""A small macro block (MODEL.md §3.7): growth, inflation, the output gap and the fiscal stance.

Daily AR(1) dynamics toward shock-dependent anchors:
    growth    → potential + AI-capex contribution − tariff drag − fiscal cuts × multiplier
                − IS slope × (real policy rate − neutral) − wealth effect × equity drawdown
    inflation → target + tariff pass-through + Phillips slope × output gap
    gap       += (growth − potential) / 252
Shocks (tariff, fiscal_cut) move the anchors; the firm block (issue #3) feeds AI capex growth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..agents.fed import FedParams
from ..config import Params, ParamView, RunParams


@dataclass(frozen=True)
class MacroParams(ParamView, section="macro"):
    """The macro block (interlock/data/params/fed.toml, [macro])."""

    growth: float                      # annual real GDP growth at day 0
    potential_growth: float            # annual: growth's anchor without shocks
    inflation: float                   # annual core PCE at day 0
    output_gap: float                  # share of potential at day 0
    output_gap_bound: float            # share of potential: |gap| is held below it
    growth_half_life_days: float       # days: growth's pull toward its anchor
    inflation_half_life_days: float    # days: inflation's pull toward its anchor
    phillips_slope: float              # inflation per unit output gap
    tariff_passthrough: float          # inflation per unit effective tariff rate
    tariff_growth_drag: float          # growth per unit effective tariff rate
    fiscal_multiplier: float           # growth per unit spending cut / GDP
    deficit: float                     # share of GDP at day 0
    ai_capex_growth_share: float       # growth per unit of AI capex growth / GDP
    is_slope: float                    # growth per unit real-rate gap (IS curve)
    wealth_effect: float               # growth per unit S&P drawdown
    gdp: float                         # USD bn, nominal annual


class Macro:
    def __init__(self, p: Params):
        q = MacroParams.from_params(p)
        self.ann = RunParams.from_params(p).trading_days_per_year
        self.growth = q.growth
        self.inflation = q.inflation
        self.output_gap = q.output_gap
        self.gap_bound = q.output_gap_bound
        self.potential = q.potential_growth
        self.inflation_target = FedParams.from_params(p).inflation_target
        self.a_g = 1.0 - 0.5 ** (1.0 / q.growth_half_life_days)
        self.a_pi = 1.0 - 0.5 ** (1.0 / q.inflation_half_life_days)
        self.phillips = q.phillips_slope
        self.passthrough = q.tariff_passthrough
        self.tariff_drag = q.tariff_growth_drag
        self.fiscal_multiplier = q.fiscal_multiplier
        self.ai_share = q.ai_capex_growth_share
        self.is_slope = q.is_slope
        self.wealth_effect = q.wealth_effect
        self.rate_gap = 0.0           # real policy rate − neutral, set each day by the model
        self.equity_drawdown = 0.0
        self.gdp = q.gdp
        self.deficit = q.deficit
        self.tariff_rate = 0.0        # effective tariff increase (decimal), set by shocks
        self.fiscal_cut = 0.0         # spending cut, share of GDP, set by shocks
        self.ai_capex_growth_bn = 0.0  # y/y change in AI capex, USD bn/yr, set by the firm block

    def growth_anchor(self) -> float:
        return (self.potential + self.ai_share * self.ai_capex_growth_bn / self.gdp
                - self.tariff_drag * self.tariff_rate - self.fiscal_multiplier * self.fiscal_cut
                - self.is_slope * self.rate_gap - self.wealth_effect * self.equity_drawdown)

    def inflation_anchor(self) -> float:
        return self.inflation_target + self.passthrough * self.tariff_rate + self.phillips * self.output_gap

    def step(self, rate_gap: float = 0.0, equity_drawdown: float = 0.0) -> None:
        self.rate_gap = rate_gap
        self.equity_drawdown = equity_drawdown
        self.growth += self.a_g * (self.growth_anchor() - self.growth)
        self.inflation += self.a_pi * (self.inflation_anchor() - self.inflation)
        self.output_gap += (self.growth - self.potential) / self.ann
        self.output_gap = max(-self.gap_bound, min(self.gap_bound, self.output_gap))
        if not math.isfinite(self.growth + self.inflation):
            raise FloatingPointError("macro block produced a non-finite value")
