"""Policy shocks (MODEL.md §4; issue #13): the Fed's rate, guidance, independence and balance sheet;
tariffs, fiscal policy, policy uncertainty, the term premium and macro data surprises. Every size is
signed where a reversal is meaningful (a tariff pause is a negative tariff change, a stimulus a
negative fiscal cut, relief a negative uncertainty shock)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, field_validator, model_validator

from ...config import Params
from .base import Probability, Shock


def _nonzero(v: float) -> float:
    if v == 0.0:
        raise ValueError("must not be zero (a shock that changes nothing)")
    return v


# ----- the Fed ------------------------------------------------------------------------------
class _FedMove(Shock):
    """An unscheduled (or surprise) move of the policy rate by `bps` in direction `sign`."""

    sign: ClassVar[float] = 0.0
    valuation_news_moves_vol = True
    bps: float = Field(default=25.0, gt=0, le=500)

    def apply(self, model) -> None:
        model.fed.surprise_move(self.sign * self.bps / 1e4, reason=f"{self.type_name} shock")


class FedCut(_FedMove):
    type_name = "fed_cut"
    summary = ("An unscheduled (or surprise) cut of the policy rate by `bps`: the shadow rate moves with "
               "it and the market reads a persistent easing (an action, not guidance: the target shift closes with "
               "fed.target_convergence_years, as any gap to the longer-run rate does).")
    sign = -1.0


class FedHike(_FedMove):
    type_name = "fed_hike"
    summary = ("An unscheduled (or surprise) hike of the policy rate by `bps`: the shadow rate moves with "
               "it and the market reads a persistent tightening (an action, not guidance: the target shift closes "
               "with fed.target_convergence_years, as any gap to the longer-run rate does).")
    sign = 1.0


class FedGuidance(Shock):
    type_name = "fed_guidance"
    valuation_news_moves_vol = True
    summary = ("Fed communication, a change of stance the Fed then follows: pins the market's cut odds "
               "for the next meeting to `probs[k]` on day at + k·spacing (seeds/001: 80% → 30% → 80%) "
               "and/or shifts the expected path by `path_bps` (signed, negative = dovish); it fades "
               "with fed.stance_half_life_days.")
    probs: list[Probability] = Field(default_factory=list)
    spacing: int = Field(default=5, ge=1)
    path_bps: float = Field(default=0.0, ge=-300.0, le=300.0)

    @model_validator(mode="after")
    def _something(self) -> "FedGuidance":
        if not self.probs and self.path_bps == 0.0:
            raise ValueError("give pinned odds (probs) or a path shift (path_bps)")
        return self

    def apply(self, model) -> None:
        fed = model.fed
        for k, prob in enumerate(self.probs):
            fed.pins[self.at + k * self.spacing] = prob
        if self.probs:
            fed.pin_odds(self.probs[0])
        if self.path_bps:
            fed.add_path_guidance(self.path_bps / 1e4)


class FedIndependence(Shock):
    type_name = "fed_independence"
    valuation_news_moves_vol = True
    summary = ("Political pressure lowers the Fed's target by `pressure` (decimal; negative raises it), "
               "ramped in linearly over `duration` days (seeds/000: midterm-election easing).")
    pressure: float = Field(gt=-0.1, le=0.2)

    def during(self, model, k: int) -> None:
        model.fed.political_pressure += self.pressure / self.duration


class BalanceSheet(Shock):
    type_name = "balance_sheet"
    valuation_news_moves_vol = True
    summary = ("Sets the Fed's balance-sheet pace in $bn/month from day `at` on, replacing the schedule "
               "(QT end, reserve-management purchases): negative = runoff, positive = purchases, of "
               "which `duration_share` are coupons (0 = bills, as reserve management; 1 = QE). With "
               "`months` the program has that length (then the pace is zero) and the market prices all of "
               "it on the day; open-ended, it prices valuation.balance_sheet_horizon_months of it.")
    pace: float = Field(ge=-500, le=500)
    duration_share: float = Field(default=0.0, ge=0.0, le=1.0)
    months: float | None = Field(default=None, gt=0.0, le=120.0)

    def apply(self, model) -> None:
        model.fed.set_pace(self.pace, self.duration_share, self.months)


# ----- macro --------------------------------------------------------------------------------
class Tariff(Shock):
    type_name = "tariff"
    summary = ("Changes the effective tariff rate by `rate` (decimal, signed: a pause or removal is "
               "negative, never below zero): earnings and the growth outlook fall on the day, policy "
               "uncertainty jumps (implied vol and the risk premium rise); core inflation rises as the "
               "price level passes through.")
    rate: float = Field(ge=-2.0, le=1.0)

    @field_validator("rate")
    @classmethod
    def _not_below_zero(cls, v: float) -> float:
        _nonzero(v)
        level = Params.defaults()["macro.tariff_rate"]
        if v < -level:
            raise ValueError(f"a cut below −the effective tariff rate at the start ({level:g}) would "
                             f"take it below zero")
        return v

    def apply(self, model) -> None:
        model.macro.change_tariff(self.rate, day=self.at)


class FiscalCut(Shock):
    type_name = "fiscal_cut"
    valuation_news_moves_vol = True
    summary = ("Cuts federal spending by `share` of GDP (e.g. DOGE; negative = stimulus): the growth "
               "outlook and earnings fall by the multiplier, the deficit and the term premium fall.")
    share: Annotated[float, Field(ge=-0.2, le=0.2), AfterValidator(_nonzero)]

    def apply(self, model) -> None:
        model.macro.fiscal_cut += self.share
        model.macro.deficit -= self.share


class PolicyUncertainty(Shock):
    type_name = "policy_uncertainty"
    summary = ("Policy uncertainty of `vol_points` (signed: negative relieves it, e.g. a pause that "
               "leaves the tariff rate nearly unchanged, 9 Apr 2025): implied vol, the equity risk "
               "premium and the term premium move together; it decays with "
               "macro.uncertainty_half_life_days.")
    vol_points: Annotated[float, Field(ge=-100.0, le=100.0), AfterValidator(_nonzero)]

    def apply(self, model) -> None:
        model.macro.add_uncertainty(self.vol_points)


class TermPremium(Shock):
    type_name = "term_premium"
    valuation_news_moves_vol = True
    summary = ("Moves the 10-year term premium by `bps` (signed; fiscal news, inflation uncertainty, "
               "supply): the 10-year and the bond price move on the day; it stays until reversed.")
    bps: Annotated[float, Field(ge=-300.0, le=300.0), AfterValidator(_nonzero)]

    def apply(self, model) -> None:
        model.valuation.term_premium_shock += self.bps / 1e4


class MacroSurprise(Shock):
    type_name = "macro_surprise"
    valuation_news_moves_vol = True
    summary = ("Data news (signed, decimals): `inflation` lifts core inflation and its anchor, "
               "`unemployment` jumps the unemployment rate (the output gap by −Okun × it), `growth` "
               "shifts the growth outlook. The Fed's rule and the market read them at once.")
    inflation: float = Field(default=0.0, ge=-0.05, le=0.05)
    unemployment: float = Field(default=0.0, ge=-0.05, le=0.05)
    growth: float = Field(default=0.0, ge=-0.1, le=0.1)

    @model_validator(mode="after")
    def _something(self) -> "MacroSurprise":
        if self.inflation == 0.0 and self.unemployment == 0.0 and self.growth == 0.0:
            raise ValueError("give at least one of inflation, unemployment, growth")
        return self

    def apply(self, model) -> None:
        model.macro.surprise(self.inflation, self.unemployment, self.growth)
