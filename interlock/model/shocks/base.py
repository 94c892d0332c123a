"""The shock base class (MODEL.md §4). A shock in a scenario file is a table::

    [[shocks]]
    at = 60            # trading day it starts (1 = first simulated day)
    type = "vol_spike"
    duration = 5       # optional: days it lasts (default 1; some types are permanent)
    noise_multiplier = 3.0

Each type declares its parameters as a pydantic model (validated when the scenario is loaded, so
a typo is an error naming the file, the shock and the field) and an `apply(model)` that runs on
day `at`, plus optionally `during(model, k)` on each day k of its duration and `end(model)` after
it. Every type is listed once, in `interlock.model.shocks.SHOCK_TYPES`.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Shock(BaseModel):
    """Base: timing fields shared by every shock type."""

    model_config = ConfigDict(extra="forbid")
    type_name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    # news through the valuation channel whose size alone should move the volatility state (GJR's news
    # impact, news.py): policy news without a volatility channel of its own. Tariffs and policy
    # uncertainty have one (their uncertainty points, calibrated on the VIX of 2–4 Apr 2025, which
    # already holds the fall's own effect); markets, crypto and AI shocks price their news elsewhere
    valuation_news_moves_vol: ClassVar[bool] = False
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
