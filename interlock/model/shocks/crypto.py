"""Shock types of the crypto block (MODEL.md §4): exchange_hack, custody_failure, stablecoin_demand,
and ai_rerating (an AI-equity rally or bust, the other leg of the crypto ↔ AI rotation). They act on
the model's crypto venues (`interlock.model.crypto.venues`), so they work whichever crypto populations are on."""

from __future__ import annotations

import math

from pydantic import Field, field_validator

from .base import Shock
from ...config import Params


def _known_venues() -> list[str]:
    return Params.defaults().names_under("crypto_venues.venues")


class ExchangeHack(Shock):
    type_name = "exchange_hack"
    summary = ("A hack of `usd_bn` at `venue` (seeds/002: Bybit ≈$1.5B, Infini $50M): the venue pays "
               "it in full, borrowing beyond its reserves (customers made whole, as Bybit did); trust "
               "falls by a function of the hack relative to the venue's reserves (less at every other "
               "venue) and recovers slowly; the venue's holders are frozen for `freeze_days` "
               "(default crypto_venues.hack_freeze_days).")
    usd_bn: float = Field(gt=0.0, le=1000.0, description="stolen, USD bn")
    venue: str = Field(description="venue name (crypto_venues.venues.*)")
    freeze_days: int | None = Field(default=None, ge=0, le=250)

    @field_validator("venue")
    @classmethod
    def _known(cls, v: str) -> str:
        known = _known_venues()
        if v not in known:
            raise ValueError(f"unknown venue {v!r}; known: {', '.join(known)}")
        return v

    def apply(self, model) -> None:
        info = model.crypto.hack(self.usd_bn, self.venue, self.freeze_days)
        model.log_event("crypto", "hacker", self.venue, "exchange_hack", self.usd_bn,
                        f"hack/reserves {info['ratio']:.2f}, trust −{info['trust_hit']:.0%} at the venue, "
                        f"frozen {info['freeze_days']}d, borrowed {info['borrowed']:.2f}bn beyond reserves")


class CustodyFailure(Shock):
    type_name = "custody_failure"
    summary = ("A custody failure at a major custodian (seeds/000 '10.11'): every venue loses a share "
               "`trust_hit` of trust (default crypto_venues.custody_trust_hit); optionally `venue` "
               "('all' or a name) is frozen for `freeze_days`, and BTC is repriced at once by "
               "`price_drop` (news, e.g. the tariff headline that set off 10 Oct 2025).")
    trust_hit: float | None = Field(default=None, ge=0.0, le=1.0)
    venue: str = Field(default="all", description="venue frozen, or 'all'")
    freeze_days: int = Field(default=0, ge=0, le=250)
    price_drop: float = Field(default=0.0, gt=-0.9, le=0.0, description="one-day BTC repricing")

    @field_validator("venue")
    @classmethod
    def _known(cls, v: str) -> str:
        known = _known_venues()
        if v != "all" and v not in known:
            raise ValueError(f"unknown venue {v!r}; known: all, {', '.join(known)}")
        return v

    def apply(self, model) -> None:
        st = model.crypto
        hit = st.custody_failure(self.trust_hit)
        if self.freeze_days > 0:
            st.freeze(None if self.venue == "all" else st.venue_index(self.venue), self.freeze_days)
        if self.price_drop:
            m = model.market
            m.news[m.btc] += math.log1p(self.price_drop)
        model.log_event("crypto", "custodian", self.venue, "custody_failure", float("nan"),
                        f"trust −{hit:.0%} at every venue, frozen {self.freeze_days}d, BTC news {self.price_drop:+.0%}")


class StablecoinDemand(Shock):
    type_name = "stablecoin_demand"
    summary = ("Stablecoin issuance of `usd_bn` spread over `duration` days (seeds/004: the GENIUS act "
               "'injects a trillion-dollar-scale on-chain liquidity pool into US Treasuries'): reserves "
               "buy Treasuries, lowering the 10y term premium (crypto_venues.stablecoin_term_premium_per_tn) "
               "and buying a share as 10y-equivalent flow (`ust10_share`, default "
               "crypto_venues.stablecoin_ust10_share); the new on-chain dollars add to the liquidity "
               "crypto holders read. Negative = redemptions.")
    usd_bn: float = Field(ge=-5000.0, le=20000.0, description="total issuance, USD bn")
    ust10_share: float | None = Field(default=None, ge=0.0, le=1.0)

    def _daily(self, model) -> tuple[float, float]:
        share = model.crypto.q.stablecoin_ust10_share if self.ust10_share is None else self.ust10_share
        daily = self.usd_bn / self.duration
        return daily, daily * share

    def apply(self, model) -> None:
        _, bond = self._daily(model)
        model.external_flow["UST10"] = model.external_flow.get("UST10", 0.0) + bond
        model.log_event("crypto", "stablecoins", "UST10", "stablecoin_demand", self.usd_bn,
                        f"over {self.duration} days, {bond:.2f}bn/day as 10y-equivalent flow")

    def during(self, model, k: int) -> None:
        daily, _ = self._daily(model)
        st = model.crypto
        st.stablecoin_issued_tn += daily / 1000.0
        model.valuation.term_premium_shock -= st.q.stablecoin_term_premium_per_tn * daily / 1000.0

    def end(self, model) -> None:
        _, bond = self._daily(model)
        left = model.external_flow.get("UST10", 0.0) - bond
        if abs(left) < 1e-12:
            model.external_flow.pop("UST10", None)
        else:
            model.external_flow["UST10"] = left


class AIRerating(Shock):
    type_name = "ai_rerating"
    summary = ("AI equities re-rated by `total_return` over `duration` days (a rally > 0, a bust < 0): "
               "a sentiment move of the listed AI firms' prices, as daily news, beyond their "
               "fundamental values — value investors pull it back slowly afterwards (seeds/000 L75: "
               "KOSPI +72% on AI semiconductors in 2025 while Korean crypto volume fell 80%; L86: "
               "money returns to crypto if AI disappoints). `firms` = tickers or 'all' (every listed "
               "firm except REST).")
    total_return: float = Field(gt=-0.95, le=10.0)
    firms: list[str] = Field(default_factory=lambda: ["all"], min_length=1)

    @field_validator("firms")
    @classmethod
    def _known_firms(cls, v: list[str]) -> list[str]:
        known = set(Params.defaults().names_under("assets")) - {"REST"}
        bad = [f for f in v if f != "all" and f not in known]
        if bad:
            raise ValueError(f"unknown firms {bad}; known: all, {', '.join(sorted(known))}")
        return v

    def during(self, model, k: int) -> None:
        m = model.market
        idx = [i for i in model.crypto.ai_idx if "all" in self.firms or m.names[i] in self.firms]
        # prices only: the firms' values belong to the valuation (and the interlock block)
        m.news[idx] += math.log1p(self.total_return) / self.duration
