"""`CapitalFlowModel`: the Mesa model. One step = one trading day, in a fixed stage order:

    shocks → Fed (+ macro) → firms (blocks) → values → traders' voluntary orders → clearing
    round 0 → forced orders, cleared in rounds 1, 2, … until none remain or the cap → close →
    data collection

Randomness: every component draws from its own generator, derived from the model's seed and the
component's name (`numpy.random.SeedSequence`). Switching an agent class off therefore leaves
every other component's random numbers unchanged (common random numbers for attribution), and
the same config + seed gives bit-identical outputs in any process.
"""

from __future__ import annotations

import hashlib
import logging
import math
from typing import Iterable

import mesa
import numpy as np

from ..agents import POPULATIONS, load_agent_modules
from ..agents.base import Population
from ..agents.fed import Fed
from ..config import Params
from .blocks import BLOCKS, load_block_modules
from .macro import Macro
from .market import Market
from .records import EventLog, FlowLog, SeriesRecorder
from .valuation import Valuation
from .volatility import ImpliedVol

log = logging.getLogger(__name__)

SYSTEMATIC = ("vol_target", "cta")


def _stream_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")


def agent_classes() -> list[str]:
    """Every switchable agent class: trading populations, blocks and the Fed."""
    load_agent_modules()
    load_block_modules()
    names = sorted(POPULATIONS, key=lambda n: POPULATIONS[n].order)
    return names + sorted(BLOCKS, key=lambda n: BLOCKS[n].order) + ["fed"]


class CapitalFlowModel(mesa.Model):
    """The capital-flow model. Build it from `Params` (see `interlock.config`) and a seed;
    `shocks` is a list of validated `interlock.experiments.shocks.Shock` objects; `disabled`
    names agent classes to switch off (in addition to `<class>.enabled = false`)."""

    def __init__(self, params: Params | None = None, seed: int = 0, shocks: Iterable = (),
                 disabled: Iterable[str] = ()):
        super().__init__(seed=seed)
        self.params = params or Params.defaults()
        self.seed_value = int(seed)
        self.day = 0
        self.disabled = set(disabled)
        self.events = EventLog()
        load_agent_modules()
        load_block_modules()
        p = self.params

        self.market = Market(p, self.stream("market"))
        self.macro = Macro(p)
        self.vol = ImpliedVol(p)
        fed_on = self.is_enabled("fed")
        self.fed = Fed(self, p, self.stream("fed"), active=fed_on)
        self.valuation = Valuation(self, p)
        # the starting stance is the macro block's reference: only changes move growth
        self._rate_gap0 = self.fed.policy_rate - self.macro.inflation - self.fed.neutral

        self.blocks = []
        for name in sorted(BLOCKS, key=lambda n: BLOCKS[n].order):
            if self.is_enabled(name):
                self.blocks.append(BLOCKS[name](self, self.stream(name)))
        self.populations: list[Population] = []
        for name in sorted(POPULATIONS, key=lambda n: POPULATIONS[n].order):
            if self.is_enabled(name):
                self.populations.append(POPULATIONS[name](self, self.stream(name)))
        self._pop_by_name = {pop.agent_class: pop for pop in self.populations}
        classes = agent_classes() + ["external"]
        self.class_code = {c: i for i, c in enumerate(classes)}
        self.flows = FlowLog(self.market.instruments, classes)

        self.shocks = sorted(shocks, key=lambda s: s.at)
        self.external_flow: dict[str, float] = {}    # instrument -> $bn/day injected (tests, multiplier)

        self.valuation.update()
        self.market.news[:] = 0.0                   # day-0 values are the starting point, not news
        self.spx_peak = self.market.spx
        self.running = True
        cols = self._base_columns()
        for b in self.blocks:
            cols += b.columns()
        for pop in self.populations:
            cols += pop.columns()
        self.series = SeriesRecorder(cols)
        self._record()

    # ----- plumbing -----------------------------------------------------------------------------
    def stream(self, name: str) -> np.random.Generator:
        """The named component's own generator (independent of which components exist)."""
        ss = np.random.SeedSequence(entropy=self.seed_value, spawn_key=(_stream_key(name),))
        return np.random.Generator(np.random.PCG64(ss))

    def is_enabled(self, name: str) -> bool:
        if name in self.disabled:
            return False
        return bool(self.params.get(f"{name}.enabled", True))

    def population(self, name: str) -> Population | None:
        return self._pop_by_name.get(name)

    def block(self, name: str):
        for b in self.blocks:
            if b.name == name:
                return b
        return None

    def log_event(self, kind: str, source: str, target: str, channel: str, usd_bn: float,
                  detail: str = "") -> None:
        self.events.add(self.day, kind, source, target, channel, usd_bn, detail)

    def spx_drawdown(self) -> float:
        return 1.0 - self.market.spx / self.spx_peak

    # ----- the day ------------------------------------------------------------------------------
    def step(self) -> None:
        self.day += 1
        day = self.day
        m = self.market
        m.begin_day()
        # 1. shocks
        for s in self.shocks:
            if s.at == day:
                self.log_event("shock", "scenario", s.type_name, "shock", float("nan"), s.describe())
                s.apply(self)
            if s.at <= day < s.at + s.duration:
                s.during(self, day - s.at)
            if day == s.at + s.duration:
                s.end(self)
        # 2. the Fed and the macro block
        self.fed.step()
        self.macro.step(rate_gap=self.fed.policy_rate - self.macro.inflation - self.fed.neutral
                        - self._rate_gap0, equity_drawdown=self.spx_drawdown())
        # 3. firms and other non-trading blocks
        for b in self.blocks:
            b.begin_day()
        self.valuation.update()
        for pop in self.populations:
            pop.begin_day()
        # 4. round 0: voluntary orders + noise
        noise = m.draw_noise()
        pending = []
        total = np.zeros(m.n_instr)
        permanent = np.zeros(m.n_instr)
        for pop in self.populations:
            o = pop.voluntary_orders()
            if o is not None:
                pending.append((pop, o, "voluntary"))
                if pop.transient_impact:
                    total += o.sum(axis=0)
                else:
                    permanent += o.sum(axis=0)
        if self.external_flow:
            ext = np.zeros(m.n_instr)
            for name, usd in self.external_flow.items():
                ext[m.instruments.index(name)] += usd
            total += ext
            self.flows.add(day, 0, self.class_code["external"], np.array([0]), ext[None, :], False, 0)
        self.systematic_equity_flow = 0.0
        m.clear(total, 0, noise, permanent_flows=permanent)
        self._fill(pending, 0)
        # 5. forced rounds
        for rnd in range(1, self.params["run.max_clearing_rounds"] + 1):
            pending = []
            total = np.zeros(m.n_instr)
            for pop in self.populations:
                res = pop.forced_orders(rnd)
                if res is not None:
                    o, reason = res
                    pending.append((pop, o, reason))
                    total += o.sum(axis=0)
                    self.log_event("trigger", pop.agent_class, "market", reason, float(o.sum()),
                                   f"round {rnd}")
            if not pending:
                break
            m.clear(total, rnd)
            self._fill(pending, rnd)
        if m.capped_events:
            log.warning("day %d: %d flows or moves capped (see events.parquet, kind 'warning')",
                        day, len(m.capped_events))
            for name, amount in m.capped_events:
                self.log_event("warning", "market", name, "capped", amount,
                               "flow above max_flow_fraction or move above max_round_log_move")
            m.capped_events.clear()
        # 6. close
        r = m.end_day()
        spx_r = math.log(m.spx / m.open_spx)
        eq_cap = m.cap[m.is_equity].sum()
        self.vol.update(spx_r, max(0.0, -self.systematic_equity_flow) / eq_cap)
        for b in self.blocks:
            b.end_day(r)
        for pop in self.populations:
            pop.end_day(r)
        self.spx_peak = max(self.spx_peak, m.spx)
        # 7. data collection
        self._record()

    def _fill(self, pending, rnd: int) -> None:
        m = self.market
        prices = m.instrument_prices()
        eq_cols = np.append(m.equity_idx, m.SPX)
        for pop, o, reason in pending:
            pop.fill(o, prices)
            self.flows.add(self.day, rnd, self.class_code[pop.agent_class], pop.ids, o, rnd > 0,
                           self.flows.reason_code(reason))
            if pop.agent_class in SYSTEMATIC:
                self.systematic_equity_flow += float(o[:, eq_cols].sum())

    # ----- recording ----------------------------------------------------------------------------
    def _base_columns(self) -> list[str]:
        m = self.market
        return (m.names + ["SPX", "UST10_yield", "VOL_1M", "VOL_3M", "hedging_demand", "policy_rate",
                           "cut_prob", "fed_reserves_bn", "liquidity", "political_pressure",
                           "inflation", "growth", "output_gap", "fair_yield", "spx_drawdown"]
                + [f"flow_{n}_bn" for n in m.names])

    def _record(self) -> None:
        m = self.market
        fed = self.fed
        row = list(m.price * self._price_scale()) + [
            m.spx, m.ust10_yield, self.vol.vol_1m, self.vol.vol_3m, self.vol.hedging,
            fed.policy_rate, fed.cut_prob, fed.reserves, fed.liquidity, fed.political_pressure,
            self.macro.inflation, self.macro.growth, self.macro.output_gap, self.valuation.y_fair,
            self.spx_drawdown()] + list(m.flows_today)
        for b in self.blocks:
            row += b.record()
        for pop in self.populations:
            row += pop.record()
        self.series.append(row)

    def _price_scale(self) -> np.ndarray:
        """Equities are recorded as market cap (USD bn), BTC in USD per coin, UST10 as a price
        index (100 at the start; its yield is its own column)."""
        if not hasattr(self, "_scale"):
            m = self.market
            self._scale = m.cap0.copy()
            self._scale[m.btc] = self.params["market.btc_price"]
            self._scale[m.ust10] = 100.0
        return self._scale

    def release(self) -> None:
        """Drop Mesa's class-level reference to this model (Mesa 3.3 keeps every model alive
        through `Agent._ids`; a long sweep in one process must call this)."""
        mesa.Agent._ids.pop(self, None)
