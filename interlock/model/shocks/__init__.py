"""Every shock type, in one explicit table (MODEL.md §4). A scenario names a shock by its
`type`; `SHOCK_TYPES[type]` is the pydantic model that validates its parameters and acts on the
model. To add a type: write the class in the module of its domain (policy, markets, ai, crypto)
and list it here."""

from __future__ import annotations

from . import ai, crypto, markets, policy
from .base import Shock

_TYPES: tuple[type[Shock], ...] = (
    policy.FedCut, policy.FedHike, policy.FedGuidance, policy.FedIndependence, policy.BalanceSheet,
    policy.Tariff, policy.FiscalCut, policy.PolicyUncertainty, policy.TermPremium, policy.MacroSurprise,
    markets.VolSpike, markets.BuybackBan, markets.BuybackTax,
    ai.CapexCut, ai.AIEfficiency, ai.AgenticAdoption, ai.AIDemand, ai.LabFundingGap, ai.EarningsMiss,
    ai.EnergyCap,
    crypto.ExchangeHack, crypto.CustodyFailure, crypto.StablecoinDemand, crypto.AIRerating,
)


def _table(types: tuple[type[Shock], ...]) -> dict[str, type[Shock]]:
    out: dict[str, type[Shock]] = {}
    for cls in types:
        if not cls.type_name or cls.type_name in out:
            raise TypeError(f"shock class {cls.__name__} needs a unique type_name")
        if cls.apply is Shock.apply and cls.during is Shock.during:
            raise TypeError(f"shock type {cls.type_name} must define apply() or during()")
        out[cls.type_name] = cls
    return out


SHOCK_TYPES: dict[str, type[Shock]] = _table(_TYPES)

__all__ = ["SHOCK_TYPES", "Shock"]
