"""Policy shocks (MODEL.md §4): the Fed's rate, guidance, independence and balance sheet; tariffs
and fiscal cuts in the macro block."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from .base import Probability, Shock


# ----- the Fed ------------------------------------------------------------------------------
class _FedMove(Shock):
    """An unscheduled (or surprise) move of the policy rate by `bps` in direction `sign`."""

    sign: ClassVar[float] = 0.0
    bps: float = Field(default=25.0, gt=0, le=500)

    def apply(self, model) -> None:
        fed = model.fed
        fed.set_rate(fed.policy_rate + self.sign * self.bps / 1e4, reason=f"{self.type_name} shock")
        fed.cut_prob = fed.implied_cut_prob()


class FedCut(_FedMove):
    type_name = "fed_cut"
    summary = "An unscheduled (or surprise) cut of the policy rate by `bps`."
    sign = -1.0


class FedHike(_FedMove):
    type_name = "fed_hike"
    summary = "An unscheduled (or surprise) hike of the policy rate by `bps`."
    sign = 1.0


class FedGuidance(Shock):
    type_name = "fed_guidance"
    summary = ("Speeches pin the market's cut probability to `probs[k]` on day at + k·spacing "
               "(seeds/001: 80% → 30% → 80%).")
    probs: list[Probability] = Field(min_length=1)
    spacing: int = Field(default=5, ge=1)

    def apply(self, model) -> None:
        for k, prob in enumerate(self.probs):
            model.fed.guidance[self.at + k * self.spacing] = prob
        model.fed.cut_prob = self.probs[0]


class FedIndependence(Shock):
    type_name = "fed_independence"
    summary = ("Political pressure lowers the Fed's target by `pressure` (decimal), ramped in "
               "linearly over `duration` days (seeds/000: midterm-election easing).")
    pressure: float = Field(gt=-0.1, le=0.2)

    def during(self, model, k: int) -> None:
        step = self.pressure / self.duration
        model.fed.political_pressure += step


class BalanceSheet(Shock):
    type_name = "balance_sheet"
    summary = ("Sets the Fed's balance-sheet pace in $bn/month: negative = QT runoff, positive = "
               "reserve-management purchases (seeds/000) or Treasury-led liquidity (seeds/001).")
    pace: float = Field(ge=-500, le=500)

    def apply(self, model) -> None:
        model.fed.pace = self.pace


# ----- macro --------------------------------------------------------------------------------
class Tariff(Shock):
    type_name = "tariff"
    summary = ("Raises the effective tariff rate by `rate` (decimal): inflation up by pass-through, "
               "growth down by the drag (stagflation).")
    rate: float = Field(gt=0.0, le=1.0)

    def apply(self, model) -> None:
        model.macro.tariff_rate += self.rate


class FiscalCut(Shock):
    type_name = "fiscal_cut"
    summary = "Cuts federal spending by `share` of GDP (e.g. DOGE), lowering growth via the multiplier."
    share: float = Field(gt=0.0, le=0.2)

    def apply(self, model) -> None:
        model.macro.fiscal_cut += self.share
        model.macro.deficit -= self.share
