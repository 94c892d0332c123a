"""Firms of the AI capital interlock (MODEL.md §3.4) as Mesa agents placed on the deals network.

The interlock block (`interlock.model.interlock_block`) keeps every firm's state in numpy arrays
(the daily loop is the hot path); each `Firm` is a Mesa `FixedAgent` sitting on its node of a
`mesa.discrete_space.Network` built from the deals graph, with domain-named properties that read
its row. Its decision rules live in the block: quarterly capex (spenders), funding rounds and
commitment cuts (AI labs), willingness to fund investees (investors).
"""

from __future__ import annotations

from mesa.discrete_space import FixedAgent


class Firm(FixedAgent):
    """One firm: a hyperscaler, chip vendor, AI lab, neocloud or the 'other suppliers' node."""

    def __init__(self, model, block, row: int, cell):
        super().__init__(model)
        self.block = block
        self.row = row
        self.cell = cell

    @property
    def name(self) -> str:
        return self.block.ledger.names[self.row]

    @property
    def kind(self) -> str:
        return str(self.block.ledger.kind[self.row])

    @property
    def revenue(self) -> float:
        """Revenue run-rate, USD bn per year (graph customers + everyone else)."""
        return float(self.block.revenue[self.row])

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
    def counterparties(self) -> list[str]:
        """Firms this one pays (suppliers, investees, borrowers): its cell's connections."""
        return sorted(str(c) for c in self.cell.connections)
