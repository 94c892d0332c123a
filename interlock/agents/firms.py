"""Firms of the AI capital interlock (MODEL.md §3.4) as Mesa agents placed on the deals network.

The interlock block (`interlock.model.interlock.block`) keeps every firm's state in numpy arrays
(the daily loop is the hot path); each `Firm` is a Mesa `FixedAgent` sitting on its node of a
`mesa.discrete_space.Network` built from the deals graph, and reads its row. What a firm decides
is written, as equations, in the module of its kind:

- hyperscalers and neoclouds — `agents/hyperscaler.py`: quarterly capex, what it can fund, and
  the treasury rule (borrow, then sell shares, when cash falls below its floor; chip vendors too);
- AI labs — `agents/ai_lab.py`: net burn, when to raise, funding rounds, commitment cuts;
- investors — `agents/investor.py`: willingness to pay scheduled tranches.

A `Firm` exposes those decisions and the state they read in domain words (`capex_plan()`,
`funding_room`, `willingness`, `runway_years`, `stakes`, …); the block takes the decisions on its
billing days.
"""

from __future__ import annotations

import math

from mesa.discrete_space import FixedAgent

from .hyperscaler import CapexPlan, decide_capex


class Firm(FixedAgent):
    """One firm: a hyperscaler, chip vendor, AI lab, neocloud or the 'other suppliers' node."""

    def __init__(self, model, block, row: int, cell):
        super().__init__(model)
        self.block = block
        self.row = row
        self.cell = cell

    # ----- who it is ----------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.block.ledger.names[self.row]

    @property
    def kind(self) -> str:
        return str(self.block.ledger.kind[self.row])

    @property
    def spends_capex(self) -> bool:
        """A capex spender (hyperscaler, neocloud): it decides capex each quarter."""
        return bool(self.block.ledger.is_spender[self.row])

    @property
    def is_lab(self) -> bool:
        """An AI lab: it raises rounds and cuts commitments when it cannot."""
        return bool(self.block.ledger.is_lab[self.row])

    @property
    def counterparties(self) -> list[str]:
        """Firms this one pays (suppliers, investees, borrowers): its cell's connections."""
        return sorted(str(c) for c in self.cell.connections)

    # ----- its accounts -------------------------------------------------------------------------
    @property
    def revenue(self) -> float:
        """Revenue run-rate, USD bn per year (graph customers + everyone else)."""
        return float(self.block.revenue[self.row])

    @property
    def operating_cash_flow(self) -> float:
        """Operating cash in, USD bn per year (labs: their margin on revenue)."""
        return float(self.block.operating[self.row])

    @property
    def capex(self) -> float:
        """Capex run-rate, USD bn per year (spenders; labs: their compute purchases)."""
        return float(self.block.ledger.spend[self.row])

    @property
    def cash(self) -> float:
        return float(self.block.ledger.cash[self.row])

    @property
    def debt(self) -> float:
        return float(self.block.ledger.debt[self.row])

    @property
    def value(self) -> float:
        """Fundamental value, USD bn (listed: the value the market is pulled toward; labs: marked
        to the model between rounds)."""
        return float(self.block.value[self.row])

    @property
    def stakes(self) -> dict[str, float]:
        """Share of each investee this firm holds."""
        L = self.block.ledger
        row = L.stakes[self.row]
        return {L.names[j]: float(row[j]) for j in range(L.n) if row[j] > 0}

    @property
    def commitments(self) -> float:
        """Remaining contracted purchases (scheduled supply deals it buys), USD bn."""
        L = self.block.ledger
        s = L.supply
        return float(s.remaining(self.block.t)[s.src == self.row].sum())

    # ----- its decisions ------------------------------------------------------------------------
    @property
    def capex_guidance(self) -> float:
        """Next year's capex the firm guides to, USD bn per year (spenders)."""
        return float(self.block.guidance[self.row])

    @property
    def funding_room(self) -> float:
        """Capex it can fund next year: operating cash flow + cash above its floor + debt room +
        new shares it can sell (`hyperscaler.funding_room`), USD bn."""
        return float(self.block.funding_room(self.row))

    def capex_plan(self) -> CapexPlan:
        """What its capex rule (`hyperscaler.decide_capex`) decides from what it sees now, without
        acting on it (spenders)."""
        if not self.spends_capex:
            raise ValueError(f"{self.name} is a {self.kind}: it takes no capex decision")
        return decide_capex(self.block.capex_signals(self.row), self.block.capex_params)

    @property
    def willingness(self) -> float:
        """Share of its scheduled investments it pays now (`investor.willingness`; 1 = all)."""
        return float(self.block.willingness[self.row])

    @property
    def runway_years(self) -> float:
        """Years its cash lasts at its expected net burn over the next year (`ai_lab.net_burn`;
        infinite if it does not burn cash). A lab raises below `block.min_runway`."""
        burn = float(self.block.net_burn()[self.row])
        return self.cash / burn if burn > 0 else math.inf
