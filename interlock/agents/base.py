"""What every trading population shares.

A *population* holds a kind of agent's state as numpy arrays (one row per member) so that the
daily decision of all members is a few vector operations; each member is still a Mesa agent
(`Member`) registered with the model, with domain-named properties that read its row. The model
asks each population for its orders in every clearing round and tells it its fills.

Orders are dollars (USD bn) per instrument: an array of shape (n_members, n_instruments) whose
columns are the market's primitive assets followed by SPX.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from . import jit

if TYPE_CHECKING:
    from ..model.model import CapitalFlowModel

# np.clip's ufunc without np.clip's Python wrapper (the same results; the wrapper is ~3 µs of a
# call on the populations' ~10-row arrays, issue #16)
clip = np._core.umath.clip
# ndarray.sum()'s reduction without its Python wrapper (the same call underneath: the same sums)
add_reduce = np.add.reduce
# likewise ndarray.any(), .min() and .max() (pass axis=None for more than one dimension)
any_reduce = np.logical_or.reduce
min_reduce = np.minimum.reduce
max_reduce = np.maximum.reduce


class Member(mesa.Agent):
    """One fund, desk or holder group: a Mesa agent whose state is row `row` of its population."""

    def __init__(self, model: "CapitalFlowModel", population: "Population", row: int):
        super().__init__(model)
        self.population = population
        self.row = row

    @property
    def nav(self) -> float:
        """Net asset value, USD bn."""
        return float(self.population.nav()[self.row])


class Population:
    """Base class: positions, cash and fills. Subclasses implement the decision rules."""

    agent_class: ClassVar[str] = ""     # the name in the flow table, `--set NAME.enabled` and attribution
    member_type: ClassVar[type[Member]] = Member

    def __init__(self, model: "CapitalFlowModel", n: int, rng: np.random.Generator):
        self.model = model
        self.market = model.market
        self.rng = rng
        self.n = n
        self.units = np.zeros((n, self.market.n_instr))   # positions, in instrument units
        self.cash = np.zeros(n)                           # USD bn (negative = financed)
        self.members = [self.member_type(model, self, i) for i in range(n)]
        self.ids = np.array([m.unique_id for m in self.members], dtype=np.int64)
        self._k = jit.if_on(jit.kernels)     # the fused kernels (agents/jit.py)

    # ----- accounting -----------------------------------------------------------------------
    def holdings(self, prices: np.ndarray | None = None) -> np.ndarray:
        """Dollar value of each member's position per instrument."""
        if prices is None:
            prices = self.market.instrument_prices()
        return self.units * prices

    def nav(self) -> np.ndarray:
        return self.cash + self.holdings().sum(axis=1)

    def fill(self, orders: np.ndarray, prices: np.ndarray) -> None:
        """Execute `orders` ($) at `prices`: positions always equal the sum of executed trades."""
        if self._k is not None and orders.ndim == 2 and orders.flags.c_contiguous and orders.dtype == np.float64:
            self._k.fill_orders(self.units, self.cash, orders, prices)       # the same arithmetic, fused
            return
        self.units += orders / prices
        self.cash -= add_reduce(orders, 1)

    # ----- decision hooks (override) ---------------------------------------------------------
    def begin_day(self) -> None:
        """Called before any clearing (after shocks, the Fed and firms)."""

    def voluntary_orders(self) -> np.ndarray | None:
        """Round-0 orders, or None."""
        return None

    def forced_orders(self, round_no: int) -> tuple[np.ndarray, str] | None:
        """Orders forced by the prices of the previous round (liquidations, risk exits,
        stop-outs, hedges) and a short reason, or None when nothing is forced."""
        return None

    def end_day(self, returns: np.ndarray) -> None:
        """Update state after the day's close; `returns` are the primitive assets' log returns."""

    def columns(self) -> list[str]:
        """Time-series columns this population records."""
        return []

    def record(self) -> dict[str, float]:
        """Today's values, keyed by exactly the names `columns()` declares (checked by the recorder)."""
        return {}

    # ----- what the runner and the validation read (optional; see interlock.model.hooks) -------
    def summary_metrics(self, ts, flows, events) -> dict:
        """Entries for summary.json's metrics after a run."""
        return {}

    def money_accounts(self) -> dict[str, float]:
        """Money (USD bn) this component holds outside the members' `cash`, by account name."""
        return {}


# ----- two-sided orders (the crypto populations) ----------------------------------------------
def clearing_value(buy_usd: np.ndarray, sell_units: np.ndarray, prices: np.ndarray) -> np.ndarray:
    """The dollars the market clears for (buys at face value, sells at the pre-round price)."""
    return buy_usd - sell_units * prices


def execute(units: np.ndarray, cash: np.ndarray, orders: np.ndarray, buy_usd: np.ndarray,
            sell_units: np.ndarray, prices: np.ndarray, kernels=None) -> None:
    """Fill two-sided orders at the clearing `prices`: positions change by exactly the executed
    units, cash by exactly the executed dollars, and `orders` is overwritten with the executed
    dollars (what flows.parquet records). `kernels`: the fused kernels module (the same arithmetic)."""
    if kernels is not None and orders.flags.c_contiguous:
        kernels.execute_orders(units, cash, orders, buy_usd, sell_units, prices)
        return
    units += buy_usd / prices - sell_units
    np.subtract(buy_usd, sell_units * prices, out=orders)
    cash -= add_reduce(orders, 1)
