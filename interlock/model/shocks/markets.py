"""Market shocks (MODEL.md §4): exogenous volatility and buyback bans and taxes."""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field, field_validator

from ...config import Params
from .base import Shock


# ----- markets ------------------------------------------------------------------------------
class VolSpike(Shock):
    type_name = "vol_spike"
    summary = ("Exogenous volatility: news volatility × `noise_multiplier` for `duration` "
               "days, hedging demand lifting VOL_1M by `vol_points`, and an optional one-day news "
               "return `drop` on equities, which BTC takes with its risk-off beta "
               "(valuation.btc_risk_beta; Feb 2018, Aug 2024).")
    noise_multiplier: float = Field(default=2.0, ge=0.0, le=20.0)
    vol_points: float = Field(default=15.0, ge=0.0, le=200.0)
    drop: float = Field(default=0.0, ge=-0.9, le=0.5)

    def apply(self, model) -> None:
        m = model.market
        m.noise_scale[m.is_equity] = self.noise_multiplier
        v0 = model.vol.vol_1m
        model.vol.add_hedging_demand((v0 + self.vol_points / 100.0) ** 2 - v0 ** 2)
        if self.drop:
            # a risk-off day: the common risk-appetite factor moves BTC too (5 Aug 2024: S&P −2.9%,
            # BTC −12.1%; docs/validation.md, "Policy transmission")
            m.news[m.is_equity] += math.log1p(self.drop)
            m.news[m.btc] += model.valuation.btc_risk_beta * math.log1p(self.drop)

    def end(self, model) -> None:
        model.market.noise_scale[model.market.is_equity] = 1.0


class BuybackBan(Shock):
    type_name = "buyback_ban"
    summary = ("Bans (a `share` of) buybacks of the named desks: firm tickers, 'REST' (e.g. defence "
               "contractors inside REST, seeds/003) or 'all'. Lasts `duration` days, or for the rest "
               "of the run if `permanent`.")
    firms: list[str] = Field(default_factory=lambda: ["all"], min_length=1)
    share: float = Field(default=1.0, ge=0.0, le=1.0)
    permanent: bool = True

    @field_validator("firms")
    @classmethod
    def _known_desks(cls, v: list[str]) -> list[str]:
        known = set(Params.defaults().names_under("assets")) | {"all"}
        bad = [f for f in v if f not in known]
        if bad:
            raise ValueError(f"unknown buyback desks {bad}; known: {sorted(known)}")
        return v

    def _mask(self, model):
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


class BuybackTax(Shock):
    type_name = "buyback_tax"
    summary = "An excise tax `rate` on buybacks; budgets fall by tax_elasticity × rate."
    rate: float = Field(ge=0.0, le=1.0)

    def apply(self, model) -> None:
        book = model.population("buyback")
        if book is not None:
            book.tax_rate = self.rate
