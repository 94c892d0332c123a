"""One registry of shock types (MODEL.md §4). A shock in a scenario file is a table::

    [[shocks]]
    at = 60            # trading day it starts (1 = first simulated day)
    type = "vol_spike"
    duration = 5       # optional: days it lasts (default 1; some types are permanent)
    noise_multiplier = 3.0

Each type declares its parameters as a pydantic model (validated when the scenario is loaded, so
a typo is an error naming the file, the shock and the field) and an `apply(model, shock)` that
runs on day `at`, plus optionally `during(model, shock, k)` on each day k of its duration and
`end(model, shock)` after it. Later blocks register more types with `@register_shock`.
"""

from __future__ import annotations

import math
from typing import Annotated, Callable, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

Probability = Annotated[float, Field(ge=0.0, le=1.0)]

SHOCKS: dict[str, type["Shock"]] = {}


def register_shock(name: str) -> Callable[[type["Shock"]], type["Shock"]]:
    def deco(cls: type[Shock]) -> type[Shock]:
        if cls.apply is Shock.apply and cls.during is Shock.during:
            raise TypeError(f"shock type {name} must define apply() or during()")
        cls.type_name = name
        SHOCKS[name] = cls
        return cls

    return deco


class Shock(BaseModel):
    """Base: timing fields shared by every shock type."""

    model_config = ConfigDict(extra="forbid")
    type_name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    at: int = Field(ge=1, description="trading day the shock starts")
    duration: int = Field(default=1, ge=1, description="days it lasts")

    def apply(self, model) -> None:  # day `at`
        pass

    def during(self, model, k: int) -> None:  # each day k = 0..duration-1
        pass

    def end(self, model) -> None:  # the day after the last day
        pass

    def describe(self) -> str:
        fields = {k: v for k, v in self.model_dump().items() if k not in ("at", "duration")}
        return ", ".join(f"{k}={v}" for k, v in fields.items())


# ----- the Fed ------------------------------------------------------------------------------
class _FedMove(Shock):
    """An unscheduled (or surprise) move of the policy rate by `bps` in direction `sign`."""

    sign: ClassVar[float] = 0.0
    bps: float = Field(default=25.0, gt=0, le=500)

    def apply(self, model) -> None:
        fed = model.fed
        fed.set_rate(fed.policy_rate + self.sign * self.bps / 1e4, reason=f"{self.type_name} shock")
        fed.cut_prob = fed.implied_cut_prob()


@register_shock("fed_cut")
class FedCut(_FedMove):
    summary = "An unscheduled (or surprise) cut of the policy rate by `bps`."
    sign = -1.0


@register_shock("fed_hike")
class FedHike(_FedMove):
    summary = "An unscheduled (or surprise) hike of the policy rate by `bps`."
    sign = 1.0


@register_shock("fed_guidance")
class FedGuidance(Shock):
    summary = ("Speeches pin the market's cut probability to `probs[k]` on day at + k·spacing "
               "(seeds/001: 80% → 30% → 80%).")
    probs: list[Probability] = Field(min_length=1)
    spacing: int = Field(default=5, ge=1)

    def apply(self, model) -> None:
        for k, prob in enumerate(self.probs):
            model.fed.guidance[self.at + k * self.spacing] = prob
        model.fed.cut_prob = self.probs[0]


@register_shock("fed_independence")
class FedIndependence(Shock):
    summary = ("Political pressure lowers the Fed's target by `pressure` (decimal), ramped in "
               "linearly over `duration` days (seeds/000: midterm-election easing).")
    pressure: float = Field(gt=-0.1, le=0.2)

    def during(self, model, k: int) -> None:
        step = self.pressure / self.duration
        model.fed.political_pressure += step


@register_shock("balance_sheet")
class BalanceSheet(Shock):
    summary = ("Sets the Fed's balance-sheet pace in $bn/month: negative = QT runoff, positive = "
               "reserve-management purchases (seeds/000) or Treasury-led liquidity (seeds/001).")
    pace: float = Field(ge=-500, le=500)

    def apply(self, model) -> None:
        model.fed.pace = self.pace


# ----- markets ------------------------------------------------------------------------------
@register_shock("vol_spike")
class VolSpike(Shock):
    summary = ("Exogenous volatility: noise of other traders × `noise_multiplier` for `duration` "
               "days, hedging demand lifting VOL_1M by `vol_points`, and an optional one-day news "
               "return `drop` on equities (Feb 2018, Aug 2024).")
    noise_multiplier: float = Field(default=2.0, ge=0.0, le=20.0)
    vol_points: float = Field(default=15.0, ge=0.0, le=200.0)
    drop: float = Field(default=0.0, ge=-0.9, le=0.5)

    def apply(self, model) -> None:
        m = model.market
        m.noise_scale[m.is_equity] = self.noise_multiplier
        v0 = model.vol.vol_1m
        model.vol.add_hedging_demand((v0 + self.vol_points / 100.0) ** 2 - v0 ** 2)
        if self.drop:
            m.news[m.is_equity] += math.log1p(self.drop)

    def end(self, model) -> None:
        model.market.noise_scale[model.market.is_equity] = 1.0


@register_shock("buyback_ban")
class BuybackBan(Shock):
    summary = ("Bans (a `share` of) buybacks of the named desks: firm tickers, 'REST' (e.g. defence "
               "contractors inside REST, seeds/003) or 'all'. Lasts `duration` days, or for the rest "
               "of the run if `permanent`.")
    firms: list[str] = Field(default_factory=lambda: ["all"], min_length=1)
    share: float = Field(default=1.0, ge=0.0, le=1.0)
    permanent: bool = True

    @field_validator("firms")
    @classmethod
    def _known_desks(cls, v: list[str]) -> list[str]:
        from ..config import Params
        known = set(Params.defaults().names_under("assets")) | {"all"}
        bad = [f for f in v if f not in known]
        if bad:
            raise ValueError(f"unknown buyback desks {bad}; known: {sorted(known)}")
        return v

    def _mask(self, model):
        import numpy as np
        book = model.population("buyback")
        if book is None:
            return None, None
        names = book.desk_names
        if "all" in self.firms:
            return book, np.ones(book.n, dtype=bool)
        return book, np.array([n.split("-")[0] in self.firms for n in names])

    def apply(self, model) -> None:
        book, mask = self._mask(model)
        if book is not None:
            book.ban_share[mask] = self.share

    def end(self, model) -> None:
        if not self.permanent:
            book, mask = self._mask(model)
            if book is not None:
                book.ban_share[mask] = 0.0


@register_shock("buyback_tax")
class BuybackTax(Shock):
    summary = "An excise tax `rate` on buybacks; budgets fall by tax_elasticity × rate."
    rate: float = Field(ge=0.0, le=1.0)

    def apply(self, model) -> None:
        book = model.population("buyback")
        if book is not None:
            book.tax_rate = self.rate


# ----- macro --------------------------------------------------------------------------------
@register_shock("tariff")
class Tariff(Shock):
    summary = ("Raises the effective tariff rate by `rate` (decimal): inflation up by pass-through, "
               "growth down by the drag (stagflation).")
    rate: float = Field(gt=0.0, le=1.0)

    def apply(self, model) -> None:
        model.macro.tariff_rate += self.rate


@register_shock("fiscal_cut")
class FiscalCut(Shock):
    summary = "Cuts federal spending by `share` of GDP (e.g. DOGE), lowering growth via the multiplier."
    share: float = Field(gt=0.0, le=0.2)

    def apply(self, model) -> None:
        model.macro.fiscal_cut += self.share
        model.macro.deficit -= self.share
