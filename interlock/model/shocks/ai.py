"""Shock types of the AI capital interlock (MODEL.md §4): capex_cut, ai_efficiency,
agentic_adoption, ai_demand, lab_funding_gap, earnings_miss, energy_cap. Each acts on the interlock
block (`model.block("interlock")`, `_block`) and does nothing when the block is switched off.
Firms are named as in the firms file (`MSFT`, `OpenAI`, `CoreWeave`, …) or by ticker (`CRWV`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from ...inputs import snapshots
from ...inputs.firms import load_firms
from .base import Shock


def _known_firms() -> dict[str, str]:
    """Accepted names → firm name: the firm names and tickers of every shipped snapshot (a scenario is
    checked when it is loaded, before its start date picks a snapshot; a firm absent from the run's own
    snapshot is simply not hit — `_rows`)."""
    out: dict[str, str] = {}
    for date in snapshots.available():
        f = load_firms(snapshots.shipped_dir() / date / "firms.csv")
        out.update({n: n for n in f["firm"]})
        out.update({t: n for t, n in zip(f["ticker"], f["firm"]) if t})
    return out


GROUPS = {"all": None, "hyperscalers": "hyperscaler", "labs": "ai_lab", "neoclouds": "neocloud",
          "chip_vendors": "chip_vendor"}


def _check_names(v: list[str]) -> list[str]:
    known = _known_firms()
    bad = [x for x in v if x not in known and x not in GROUPS]
    if bad:
        raise ValueError(f"unknown firms {bad}; known: {sorted(set(known) | set(GROUPS))}")
    return v


def _rows(block, names: list[str]) -> list[int]:
    """Firm rows of the block for names, tickers or groups (firms missing from a user's own
    firms file are skipped)."""
    L = block.ledger
    tick = {block.graph.nodes[n]["ticker"]: n for n in L.names if block.graph.nodes[n]["ticker"]}
    rows: list[int] = []
    for x in names:
        if x in GROUPS:
            kind = GROUPS[x]
            rows += [i for i in range(L.n) if kind is None or L.kind[i] == kind]
        elif x in L.idx:
            rows.append(L.idx[x])
        elif x in tick:
            rows.append(L.idx[tick[x]])
    return sorted(set(rows))


FirmNames = Annotated[list[str], AfterValidator(_check_names), Field(min_length=1)]


def _block(model):
    """The interlock block the shock acts on, or None when it is switched off (no effect)."""
    return model.block("interlock")


def _switch_demand(b, model, multiplier: float, ramp_years: float) -> None:
    """A demand regime switch from today (× `multiplier` over `ramp_years`) that firms see at once:
    every spender's capex guidance is revised."""
    b.compute.add_regime(model.day / b.ann, multiplier, ramp_years)
    b.mark_event(guidance=True)


class CapexCut(Shock):
    type_name = "capex_cut"
    summary = ("Hyperscalers (or neoclouds) cut capex by `share` at once: their run-rate purchases and "
               "guidance fall; with `contracts`, their contracted purchases (neocloud rentals) too. "
               "Firms: names, tickers or 'hyperscalers'/'all'.")
    firms: FirmNames = Field(default_factory=lambda: ["hyperscalers"])
    share: float = Field(gt=0.0, le=1.0)
    contracts: bool = True

    def apply(self, model) -> None:
        b = _block(model)
        if b is None:
            return
        for i in _rows(b, self.firms):
            if b.ledger.is_spender[i]:
                b.cut_capex(i, self.share, self.contracts, "capex_cut shock")


class AIEfficiency(Shock):
    type_name = "ai_efficiency"
    summary = ("An efficiency breakthrough (DeepSeek, seeds/002) divides compute per unit of AI use by "
               "`factor`; AI prices fall by factor^−passthrough and use rises by the Jevons elasticity "
               "(`jevons` overrides the parameter). Firms are re-priced by exposure: sellers of compute "
               "volume expect less of it, buyers need less compute for the same AI output. Labs' multiples "
               "fall by `lab_value_hit` (open models compete with them). The market revises every "
               "spender's capex guidance at once.")
    factor: float = Field(gt=1.0, le=100.0)
    jevons: float | None = Field(default=None, ge=0.0, le=5.0)
    lab_value_hit: float = Field(default=0.0, ge=0.0, lt=1.0)

    def apply(self, model) -> None:
        b = _block(model)
        if b is None:
            return
        cm = b.compute
        cm.efficiency *= self.factor
        if self.jevons is not None:
            cm.jevons = self.jevons
        b.reprice_efficiency(self.factor)
        b.rerating[b.ledger.is_lab] *= (1.0 - self.lab_value_hit)
        b.funding_check_now()
        b.mark_event(guidance=True)


class AgenticAdoption(Shock):
    type_name = "agentic_adoption"
    summary = ("The agentic-adoption regime switch (seeds/003 phase 2): compute demand per user rises "
               "`multiplier`× (default interlock.compute.agentic_multiplier) over `ramp_years`; AI revenue "
               "follows with the agentic revenue elasticity. Firms expect it at once: capex guidance jumps.")
    multiplier: float | None = Field(default=None, ge=1.0, le=1000.0)
    ramp_years: float | None = Field(default=None, gt=0.0, le=30.0)

    def apply(self, model) -> None:
        b = _block(model)
        if b is None:
            return
        cm = b.compute
        _switch_demand(b, model, cm.agentic_default if self.multiplier is None else self.multiplier,
                       cm.agentic_ramp_default if self.ramp_years is None else self.ramp_years)


class AIDemand(Shock):
    type_name = "ai_demand"
    summary = ("Downstream AI demand changes by `change` (share, e.g. −0.4: companies and consumers "
               "unwilling or unable to pay, seeds/000 scenario 2) over `ramp_years`: compute demand and "
               "AI revenue fall (or rise); firms see it at once.")
    change: float = Field(gt=-0.99, le=100.0)
    ramp_years: float = Field(default=1.0, gt=0.0, le=30.0)

    def apply(self, model) -> None:
        b = _block(model)
        if b is not None:
            _switch_demand(b, model, 1.0 + self.change, self.ramp_years)


class LabFundingGap(Shock):
    type_name = "lab_funding_gap"
    summary = ("Investors stop funding AI labs: outside investors' appetite falls by `share` and graph "
               "investors' scheduled tranches by `investor_share` (default: same) for `duration` days, or "
               "for the rest of the run if `permanent`. Labs that cannot raise cut commitments.")
    labs: FirmNames = Field(default_factory=lambda: ["labs"])
    share: float = Field(default=1.0, gt=0.0, le=1.0)
    investor_share: float | None = Field(default=None, ge=0.0, le=1.0)
    permanent: bool = True

    def _set(self, b, on: bool) -> None:
        inv = self.share if self.investor_share is None else self.investor_share
        for i in _rows(b, self.labs):
            if b.ledger.is_lab[i]:
                b.outside_factor[i] = (1.0 - self.share) if on else 1.0
                b.investor_factor[i] = (1.0 - inv) if on else 1.0
        b.funding_check_now()
        b.mark_event()

    def apply(self, model) -> None:
        b = _block(model)
        if b is not None:
            self._set(b, True)

    def end(self, model) -> None:
        b = _block(model)
        if b is not None and not self.permanent:
            self._set(b, False)


class EarningsMiss(Shock):
    type_name = "earnings_miss"
    summary = ("A firm's revenue outside the graph comes in `miss` below plan (permanently; negative = a "
               "beat) and its AI growth is cut by `growth_cut` (annual, log points; negative = raised): "
               "guidance and value re-price at once.")
    firms: FirmNames
    miss: float = Field(default=0.05, ge=-1.0, lt=1.0)
    growth_cut: float = Field(default=0.0, ge=-1.0, le=2.0)

    def apply(self, model) -> None:
        b = _block(model)
        if b is None:
            return
        for i in _rows(b, self.firms):
            b.miss[i] *= (1.0 - self.miss)
            b.growth_adj[i] -= self.growth_cut
        b.mark_event(guidance=True)


class EnergyCap(Shock):
    type_name = "energy_cap"
    summary = ("Power caps the build-out (seeds/001, 004): energised AI capacity may grow at most "
               "`growth_cap` a year; capacity above it waits as stranded capex. Lasts `duration` days, "
               "or the rest of the run if `permanent`.")
    growth_cap: float = Field(ge=0.0, le=10.0)
    permanent: bool = True

    def apply(self, model) -> None:
        b = _block(model)
        if b is not None:
            b.compute.power_cap = self.growth_cap
            b.mark_event(guidance=True)

    def end(self, model) -> None:
        b = _block(model)
        if b is not None and not self.permanent:
            b.compute.power_cap = b.compute.q.power_growth_cap
            b.mark_event(guidance=True)
