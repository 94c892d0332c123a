"""The interactive app (`interlock app`): Mesa's SolaraViz around the runner's model.

Pick a scenario and a seed, set the sliders, then Step / Play / Reset. Live panels: prices
(rebased), net equity flows by agent class, implied vol 1M/3M, and the interlock network coloured
by drawdown with edges sized by what flows through them.

Model and view are separate: `AppModel` only adapts the runner's model
(`interlock.experiments.runner.build_model`, the one way to build one) to SolaraViz's
"model class called with the parameters" contract, and the panels only read its tables. Nothing
is built at import time: each browser session builds its model when its page first renders.

A slider left at the parameter's default keeps the scenario's own value (scenarios may override
it); a slider moved away from the default overrides the scenario. Shock-size sliders (capex cut,
exchange hack) at 0 keep the scenario's shocks; above 0 they resize the scenario's shocks of that
kind, or add one on day ADDED_SHOCK_DAY.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import warnings

import mesa
import pandas as pd
import solara

with warnings.catch_warnings():
    # Solara's hook linter flags a pattern inside Mesa's own ComponentsView; nothing to act on here
    warnings.filterwarnings("ignore", message=".*found despite early return", category=UserWarning)
    from mesa.visualization import Slider, SolaraViz

from ..config import param_specs
from ..errors import InputError
from ..experiments.runner import RunResult, build_model
from ..experiments.scenarios import list_scenarios, load_scenario
from ..model.shocks import SHOCK_TYPES
from .common import mark_shocks, new_figure, stacked_flows
from .dashboard import dashboard_data, draw_prices, draw_vol
from .network import model_graph, network_data, network_state, network_view

PLAY_INTERVAL_MS = 150


@dataclass(frozen=True)
class SliderSpec:
    """A slider: the AppModel keyword, the parameter's key path, a label, the range shown when
    the parameter has no plausible `range` in its defaults file (in slider units), and the
    parameter's value per slider unit (e.g. 0.01 for a decimal shown in percentage points)."""

    name: str
    key: str
    label: str
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    scale: float = 1.0


# The parameter sliders (a unit test checks that each names a parameter of `interlock params`).
SLIDERS = (
    SliderSpec("vol_target_aum", "vol_target.aum", "Vol-target AUM ($bn)", step=25.0),
    SliderSpec("cta_aum", "cta.aum", "CTA AUM ($bn)", step=25.0),
    SliderSpec("equity_multiplier", "market.equity_multiplier", "Equity multiplier ($ value per $ flow)", step=0.5),
    SliderSpec("btc_multiplier", "market.btc_multiplier", "BTC multiplier ($ value per $ flow)", step=1.0),
    SliderSpec("political_pressure", "fed.political_pressure", "Fed political pressure (%pts)",
               0.0, 3.0, 0.25, scale=0.01),
    SliderSpec("leverage_share", "retail_crypto.leveraged_share", "Leveraged crypto holders (%)",
               0.0, 50.0, 1.0, scale=0.01),
)


@dataclass(frozen=True)
class ShockSliderSpec:
    """A slider for the size of a kind of shock (`field` of shock type `shock`), in slider units
    × `scale`. 0 keeps the scenario's shocks as they are; above 0 it sets the size of the
    scenario's shocks of that type, or adds one on ADDED_SHOCK_DAY (with `extra` fields) if the
    scenario has none."""

    name: str
    shock: str
    field: str
    label: str
    hi: float
    step: float
    scale: float = 1.0
    extra: tuple = ()


# A shock the app adds to a scenario without one comes a month in, after the warm-up days.
ADDED_SHOCK_DAY = 20
SHOCK_SLIDERS = (
    ShockSliderSpec("capex_cut", "capex_cut", "share", "Capex cut (%)", 50.0, 5.0, scale=0.01),
    # an added hack hits Bybit, the venue of the largest hack in the seed notes (Feb 2025)
    ShockSliderSpec("hack_size", "exchange_hack", "usd_bn", "Exchange hack ($bn)", 10.0, 0.25,
                    extra=(("venue", "bybit"),)),
)


def with_shock_sizes(scenario, sizes: dict[str, float]):
    """`scenario` with the shock sizes of the shock sliders (by keyword; 0/None = unchanged)."""
    types = SHOCK_TYPES
    shocks = list(scenario.shocks)
    for spec in SHOCK_SLIDERS:
        v = sizes.get(spec.name)
        if not v:
            continue
        value = v * spec.scale
        same = [i for i, sh in enumerate(shocks) if sh.type_name == spec.shock]
        for i in same:
            shocks[i] = types[spec.shock](**{**shocks[i].model_dump(), spec.field: value})
        if not same:
            shocks.append(types[spec.shock](at=ADDED_SHOCK_DAY, **dict(spec.extra), **{spec.field: value}))
    return scenario.model_copy(update={"shocks": sorted(shocks, key=lambda sh: sh.at)})


def _default(key: str):
    return param_specs()[key].default


class AppModel(mesa.Model):
    """The runner's model for one session of the app, rebuilt by SolaraViz on Reset with the
    scenario, seed and slider values as keywords (None = the scenario's own value)."""

    def __init__(self, scenario: str = "baseline", seed: int | str = 1, vol_target_aum: float | None = None,
                 cta_aum: float | None = None, equity_multiplier: float | None = None,
                 btc_multiplier: float | None = None, political_pressure: float | None = None,
                 leverage_share: float | None = None, capex_cut: float | None = None,
                 hack_size: float | None = None):
        try:
            seed = int(str(seed).strip())
        except ValueError:
            raise InputError(f"seed must be a whole number, got {seed!r}", key="seed") from None
        super().__init__(seed=seed)
        given = dict(vol_target_aum=vol_target_aum, cta_aum=cta_aum, equity_multiplier=equity_multiplier,
                     btc_multiplier=btc_multiplier, political_pressure=political_pressure,
                     leverage_share=leverage_share)
        spec_of = {s.name: s for s in SLIDERS}
        values = {spec_of[k].key: v * spec_of[k].scale for k, v in given.items() if v is not None}
        self.overrides = {k: v for k, v in values.items() if not math.isclose(v, _default(k), abs_tol=1e-12)}
        self.shock_sizes = {k: v for k, v in dict(capex_cut=capex_cut, hack_size=hack_size).items() if v}
        self.scenario = with_shock_sizes(load_scenario(scenario), self.shock_sizes)
        self.sim = build_model(self.scenario, seed=seed, overrides=self.overrides)
        # the sim is kept alive by Mesa's class-level agent-id table until released: release it
        # when this session's model is dropped (on Reset or when the session ends)
        weakref.finalize(self, self.sim.release)
        self._snapshot: tuple[int, object] | None = None

    def step(self) -> None:
        self.sim.step()

    def result(self):
        """The run so far as a `RunResult` (what the static figures read), cached per day."""
        if self._snapshot is None or self._snapshot[0] != self.sim.day:
            sim = self.sim
            ts = sim.series.frame()
            ts.insert(1, "date", pd.bdate_range(pd.Timestamp(sim.params["run.start_date"]), periods=len(ts)))
            summary = {"asset_names": sim.market.names + ["SPX"],
                       "shocks": [dict(type=s.type_name, **s.model_dump()) for s in sim.shocks]}
            res = RunResult(self.scenario.name, sim.seed_value, sim.day, sim.params, ts, sim.flows.frame(),
                            sim.events.frame(), summary)
            self._snapshot = (sim.day, res)
        return self._snapshot[1]


# ----- panels ---------------------------------------------------------------------------------
def _figure(draw, width: float = 7.0, height: float = 3.6):
    fig = new_figure(width, height)
    ax = fig.add_subplot(1, 1, 1)
    draw(ax)
    fig.tight_layout()
    return fig


def _show(fig):
    return solara.FigureMatplotlib(fig, format="png", dpi=90)


def PricesPanel(model: AppModel):
    res = model.result()

    def draw(ax):
        draw_prices(ax, dashboard_data(res)["prices"])
        mark_shocks([ax], res.summary, label_axes=[ax])
        ax.set_xlabel("trading day")
    return _show(_figure(draw))


def FlowsPanel(model: AppModel):
    res = model.result()

    def draw(ax):
        stacked_flows(ax, dashboard_data(res)["flows_equities"])
        ax.set_title("Net equity flows by agent class")
        ax.set_ylabel("$bn per day (sales < 0)")
        ax.set_xlabel("trading day")
        mark_shocks([ax], res.summary)
    return _show(_figure(draw))


def VolPanel(model: AppModel):
    res = model.result()

    def draw(ax):
        draw_vol(ax, dashboard_data(res)["vol"])
        mark_shocks([ax], res.summary)
        ax.set_xlabel("trading day")
    return _show(_figure(draw))


def NetworkPanel(model: AppModel):
    res = model.result()
    data = network_data(res, [res.days], graph=model_graph(model.sim))
    fig = new_figure(8.5, 5.2)
    view = network_view(fig.add_subplot(1, 1, 1), res, data)
    view.update(*network_state(data, res.days), f"day {res.days}")
    fig.tight_layout()
    return _show(fig)


def StatusPanel(model: AppModel):
    res = model.result()
    ts = res.timeseries.iloc[-1]
    sc = model.scenario
    lines = [f"**{sc.title or sc.name}** — day {res.days} ({pd.Timestamp(ts['date']).date()})",
             f"S&P 500 {ts['SPX']:,.0f} · drawdown {100 * ts['spx_drawdown']:.1f}% · VOL 1M "
             f"{100 * ts['VOL_1M']:.1f} · policy rate {100 * ts['policy_rate']:.2f}%"]
    if model.overrides:
        lines.append("overrides: " + ", ".join(f"`{k}` = {v:g}" for k, v in model.overrides.items()))
    if model.shock_sizes:
        lines.append("shocks: " + "; ".join(sh.describe() + f" (day {sh.at}, {sh.type_name})"
                                            for sh in model.scenario.shocks))
    lines.append(f"*What to look at:* {sc.narrative.look_at}")
    return solara.Markdown("\n\n".join(lines))


COMPONENTS = [PricesPanel, FlowsPanel, VolPanel, NetworkPanel, StatusPanel]


def model_params() -> dict:
    """SolaraViz's parameter controls: scenario, seed, the parameter and the shock-size sliders."""
    specs = param_specs()
    params: dict = {
        "scenario": {"type": "Select", "value": "baseline", "label": "Scenario",
                     "values": [s.name for s in list_scenarios()]},
        "seed": {"type": "InputText", "value": "1", "label": "Seed"},
    }
    for s in SLIDERS:
        p = specs[s.key]
        default = p.default / s.scale
        lo, hi = (s.lo, s.hi) if s.lo is not None else (p.range or (p.min, p.max))
        lo, hi = min(lo, default), max(hi, default)
        step = s.step or (hi - lo) / 40
        params[s.name] = Slider(s.label, value=float(default), min=float(lo), max=float(hi), step=float(step),
                                dtype=float)
    for s in SHOCK_SLIDERS:
        params[s.name] = Slider(s.label, value=0.0, min=0.0, max=float(s.hi), step=float(s.step), dtype=float)
    return params


@solara.component
def Page():
    # built when a session first renders, never at import time
    model = solara.use_memo(AppModel, [])
    params = solara.use_memo(model_params, [])
    SolaraViz(model, components=COMPONENTS, model_params=params, name="interlock: capital-flow cascades",
              play_interval=PLAY_INTERVAL_MS)

