"""The interactive app (`interlock app`): a Solara page around the runner's model.

Pick a scenario (it applies at once: the model is rebuilt), a seed and the sliders (their values
are shown; changed ones apply on Reset, with a "pending" cue until then), then Step / Play / Reset.
Play stops at the scenario's last day. Live panels: prices, net equity flows by agent class (the
discretionary residual on its own axis) and implied vol, each with a grey ghost line of the
previous run; the cascade of a chosen day, clearing round by clearing round; the interlock
network. "Export" writes the run so far to a run folder (runs/app/…), re-simulated by the runner
under the same seed, so it is exactly what the app shows.

Cost per step (issue #15, benchmarks/bench_app.py): while playing, the model steps every
PLAY_INTERVAL_MS and the charts are drawn every RENDER_EVERY days and on the last; the network and
cascade panels — the costly ones — are drawn only when paused.

Model and view are separate: `AppModel` adapts the runner's model
(`interlock.experiments.runner.build_model`, the one way to build one), and the panels only read
its tables. Nothing is built at import time: each browser session builds its model when its page
first renders. The scenario name is checked on the server against the shipped scenarios (or the
folder `interlock app --scenarios DIR` configured), never taken as a path.

A slider left at the parameter's default keeps the scenario's own value (scenarios may override
it); a slider moved away from the default overrides the scenario. Shock-size sliders (capex cut,
exchange hack) at 0 keep the scenario's shocks; above 0 they resize the scenario's shocks of that
kind, or add one on day ADDED_SHOCK_DAY.
"""

from __future__ import annotations

import io
import math
import os
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import PIL.Image
import solara
from solara.alias import rw

from ..config import param_specs
from ..errors import InputError
from ..experiments.cards import card_assets
from ..experiments.runner import RunResult, build_model, run
from ..experiments.scenarios import list_scenarios, load_scenario
from ..model.shocks import SHOCK_TYPES
from ..reports.run import write_run
from .cascade import cascade_data, default_day, draw_chain
from .common import PNG_COMPRESS_LEVEL, mark_shocks, new_figure, stacked_flows
from .dashboard import dashboard_data
from .network import QUIET_EDGE_ALPHA, model_graph, network_data, network_state, network_view
from .style import GHOST_COLOR, asset_color, series_color

PLAY_INTERVAL_MS = 100
RENDER_EVERY = 5            # while playing, the charts are drawn every this many days (and on the last)
CHART_DPI = 72
SCENARIO_DIR_ENV = "INTERLOCK_APP_SCENARIOS"    # a folder of scenario files `interlock app --scenarios` allows
EXPORT_ROOT = Path("runs") / "app"


def allowed_scenarios() -> dict[str, object]:
    """The scenarios the app may build, by name: the shipped ones, or those of the folder
    configured at start (`interlock app --scenarios DIR`, passed as INTERLOCK_APP_SCENARIOS)."""
    folder = os.environ.get(SCENARIO_DIR_ENV)
    if folder:
        return {p.stem: p for p in sorted(Path(folder).glob("*.toml"))}
    return {s.name: s.name for s in list_scenarios()}


def check_scenario(name) -> object:
    """What `load_scenario` gets for `name` (a shipped name or a file of the configured folder);
    anything else — a path, an unknown name — is an InputError."""
    allowed = allowed_scenarios()
    if not isinstance(name, str) or name not in allowed:
        raise InputError(f"unknown scenario {str(name)[:80]!r}", key="scenario", allowed=", ".join(allowed))
    return allowed[name]


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
        self.scenario = with_shock_sizes(load_scenario(check_scenario(scenario)), self.shock_sizes)
        self.end_day = int(self.scenario.run.days)
        self.sim = build_model(self.scenario, seed=seed, overrides=self.overrides)
        # the sim is kept alive by Mesa's class-level agent-id table until released: release it
        # when this session's model is dropped (on Reset or when the session ends)
        weakref.finalize(self, self.sim.release)
        self._snapshot: tuple[int, object] | None = None

    def step(self) -> None:
        """One trading day; `running` turns False on the scenario's last day (Play stops there)."""
        if self.sim.day < self.end_day:
            self.sim.step()
        self.running = self.sim.day < self.end_day

    @property
    def day(self) -> int:
        return int(self.sim.day)

    def export(self, root: str | Path = EXPORT_ROOT) -> Path:
        """Write the run so far to root/<scenario>-seed<seed>-day<day> as `interlock run` would
        (tables, summary, dashboard, report.html): the runner re-simulates it under the same seed, overrides and
        shocks, so it is the run the app shows (same config + seed ⇒ same outputs)."""
        result = run(self.scenario, days=self.day, seed=self.sim.seed_value, overrides=self.overrides,
                     amplification=False)
        return write_run(result, Path(root) / f"{self.scenario.name}-seed{self.sim.seed_value}-day{self.day}",
                         card=card_assets(self.scenario, result.assets))

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
def ghost_of(model: AppModel) -> pd.DataFrame | None:
    """What the ghost lines of the next run show: the S&P 500 (rebased), VOL 1M (vol points) and
    the net equity flow of the documented classes, by day."""
    if model.day == 0:
        return None
    res = model.result()
    d = dashboard_data(res)
    flows = d["flows_equities"]
    return pd.DataFrame({"SPX": d["prices"]["SPX"], "VOL_1M": d["vol"]["VOL_1M"],
                         "flows": flows.drop(columns=[c for c in ("discretionary",) if c in flows]).sum(axis=1)},
                        index=d["prices"].index).assign(label=f"{model.scenario.name}, seed {model.sim.seed_value}")


OVERVIEW_PANELS = ("prices", "vol", "flows_equities")


def overview_figure(res: RunResult, ghost: pd.DataFrame | None, end_day: int):
    """Prices, net equity flows by class and VOL 1M/3M on one figure (fixed margins, one draw),
    with the previous run as grey ghost lines."""
    fig, axes = _overview_axes()
    draw_overview(axes, res, ghost, end_day)
    return fig


def _overview_axes():
    fig = new_figure(7.2, 7.4)
    return fig, fig.subplots(3, 1, sharex=True, gridspec_kw=dict(left=0.1, right=0.88, top=0.95, bottom=0.07,
                                                                 hspace=0.42))


def draw_overview(axes, res: RunResult, ghost: pd.DataFrame | None, end_day: int, twin=None,
                  legends: bool = True) -> None:
    """The overview's data, titles and legends on its three axes (fresh, or emptied by
    `OverviewPanelState`, which passes the flows panel's right axis as `twin`, and
    `legends=False` when the axes keep legends of the same entries)."""
    d = dashboard_data(res, panels=OVERVIEW_PANELS)
    ax = axes[0]
    for a in d["prices"].columns:
        ax.plot(d["prices"].index, d["prices"][a], color=asset_color(a), lw=1.6 if a == "SPX" else 0.8,
                ls="--" if a == "BTC" else "-", label=a)
    if ghost is not None:
        ax.plot(ghost.index, ghost["SPX"], color=GHOST_COLOR, lw=2.2, alpha=0.8, zorder=0,
                label=f"SPX, previous run")
    # titles at a fixed height: automatic placement measures every axis at each draw
    ax.set_title("Prices, rebased to 100 at day 0", fontsize=9, y=1.0)
    ax.set_ylabel("index (day 0 = 100)", fontsize=8)
    if legends:
        ax.legend(fontsize=6, ncol=5, loc="upper left", frameon=False)
    ax = axes[1]
    stacked_flows(ax, d["flows_equities"], legend=False, twin=twin)
    if ghost is not None:
        ax.plot(ghost.index, ghost["flows"], color=GHOST_COLOR, lw=1.4, alpha=0.9, zorder=0,
                drawstyle="steps-mid")
    ax.set_title("Net equity flows by agent class (grey: net, previous run)", fontsize=9, y=1.0)
    ax.set_ylabel("$bn per day", fontsize=8)
    ax = axes[2]
    v = d["vol"]
    ax.plot(v.index, v["VOL_1M"], color=series_color("VOL_1M"), label="VOL 1M")
    ax.plot(v.index, v["VOL_3M"], color=series_color("VOL_3M"), label="VOL 3M")
    if ghost is not None:
        ax.plot(ghost.index, ghost["VOL_1M"], color=GHOST_COLOR, lw=2.2, alpha=0.8, zorder=0,
                label="VOL 1M, previous run")
    ax.set_title("Implied volatility of the S&P 500", fontsize=9, y=1.0)
    ax.set_ylabel("vol points", fontsize=8)
    ax.set_xlabel("trading day", fontsize=8)
    if legends:
        ax.legend(fontsize=6, ncol=3, loc="upper left", frameon=False)
    last = max(end_day, int(res.days), int(ghost.index.max()) if ghost is not None else 0)
    for ax in axes:
        ax.set_xlim(0, last)
        ax.tick_params(labelsize=7)
    mark_shocks(axes, res.summary)


class OverviewPanelState:
    """One overview figure per session, redrawn in place and blitted: a step empties its axes of
    data and draws the new day's (creating the figure and its axes again costs as much as drawing
    it, and reused axes keep their tick objects). What does not change from day to day — the
    titles and the x axes (their range is the scenario's days), and the background — is rendered
    once into a cached image, again only when the x range changes; a step draws over it only each
    axes' data, y axis, spines and legend, in the order a full draw would, and encodes the pixels:
    the picture a full draw gives (tests/integration/test_viz_app.py) at ≈ half its cost."""

    def __init__(self):
        self.fig, self.axes = _overview_axes()
        self.fig.set_dpi(CHART_DPI)
        self.twin = self.axes[1].twinx()            # the flows panel's residual axis, kept (hidden when unused)
        self.twin.set_visible(False)
        self._background = None
        self._key = None
        self._legend_key = None

    def png(self, res: RunResult, ghost: pd.DataFrame | None, end_day: int) -> bytes:
        # the legends' entries depend only on the run's assets and on whether a ghost is drawn:
        # kept while those stay (a legend draws its own copies of the handles)
        legend_key = (tuple(res.summary.get("asset_names") or ()), ghost is None)
        new_legends = legend_key != self._legend_key
        for ax in [*self.axes, self.twin]:
            for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts]:
                artist.remove()
            if new_legends and ax.get_legend() is not None:
                ax.get_legend().remove()
            ax.relim()
            ax.set_autoscaley_on(True)
        draw_overview(self.axes, res, ghost, end_day, twin=self.twin, legends=new_legends)
        self._legend_key = legend_key
        canvas = self.fig.canvas
        # each axes' artists that change with the day, in Axes.draw's order (its children, sorted
        # by z-order, stably); the rest (patch, x axis, titles) is the cached background
        layers = []
        for ax in self.fig.axes:
            static = {id(a) for a in (ax.patch, ax.xaxis, ax.title, ax._left_title, ax._right_title)}
            moving = sorted((a for a in ax.get_children() if id(a) not in static), key=lambda a: a.get_zorder())
            for a in moving:
                a.set_animated(True)
            ax.viewLim                          # autoscale now: drawing artists one by one skips Axes.draw
            layers.append((ax, moving))
        key = tuple(tuple(ax.get_xlim()) for ax in self.axes)
        if key != self._key:
            canvas.draw()                       # the background: everything not animated
            self._background, self._key = canvas.copy_from_bbox(self.fig.bbox), key
        else:
            canvas.restore_region(self._background)
        for ax, moving in layers:
            if ax.get_visible():
                for a in moving:
                    self.fig.draw_artist(a)
        return canvas_png(canvas)


def cascade_figure(res: RunResult, day: int):
    """The trigger chain of `day`, clearing round by clearing round."""
    data = cascade_data(res, day=day)
    n = max(int(data["rounds"]["round"].nunique()), 2)
    fig = new_figure(max(7.0, 1.9 * n), 5.0)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.84))
    draw_chain(ax, data["rounds"], data["links"], f"day {day}", data["liquidated"])
    return fig, data


class NetworkPanelState:
    """One network figure per session, updated in place and blitted: the static parts (axes,
    legend, colour bar, and the edges that carry nothing — most of them, drawn the same every
    day) are rendered once into a background, again only when that set of quiet edges changes; a
    step redraws only the edges that carry something, the nodes and the texts above them over it,
    and encodes the pixels (`png`)."""

    def __init__(self, model: AppModel):
        res = model.result()
        self.data = network_data(res, [res.days], graph=model_graph(model.sim))
        self.fig = new_figure(8.5, 5.2)
        self.fig.set_dpi(CHART_DPI)
        self.view = network_view(self.fig.add_axes((0.01, 0.02, 0.9, 0.96)), res, self.data)
        self.above = [self.view.nodes, *self.view.ax.texts]     # drawn over the edges, every step
        self._background = None
        self._quiet_key = None

    def draw(self, model: AppModel):
        """Update the view to the model's day; returns the figure (a full draw shows it all)."""
        res = model.result()
        data = network_data(res, [res.days], graph=model_graph(model.sim))
        self.view.edge_scale = max(self.view.edge_scale, float(data["edges"].to_numpy().max()) if data["edges"].size
                                   else 0.0)
        self.view.update(*network_state(data, res.days), f"day {res.days}")
        return self.fig

    def png(self, model: AppModel) -> bytes:
        """The network on the model's day as PNG bytes at CHART_DPI (the pixels of a full draw of
        `draw(model)`, at a fraction of the cost once the background is made)."""
        self.draw(model)
        canvas = self.fig.canvas
        arrows = self.view.arrows
        quiet = [i for i, a in enumerate(arrows) if a.get_alpha() == QUIET_EDGE_ALPHA]
        key = tuple((i, arrows[i].get_linewidth()) for i in quiet)
        busy = [a for i, a in enumerate(arrows) if i not in set(quiet)]
        if key != self._quiet_key:
            for a in arrows:
                a.set_animated(False)
            for a in [*busy, *self.above]:
                a.set_animated(True)
            canvas.draw()                                   # the static parts and the quiet edges
            self._background, self._quiet_key = canvas.copy_from_bbox(self.fig.bbox), key
        else:
            canvas.restore_region(self._background)
        for a in sorted([*busy, *self.above], key=lambda a: a.get_zorder()):
            self.fig.draw_artist(a)
        return canvas_png(canvas)


def canvas_png(canvas) -> bytes:
    """The pixels on an Agg canvas (after a draw or a blit) as PNG bytes, fast compression."""
    w, h = canvas.get_width_height()
    img = PIL.Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    img.save(buf, format="png", compress_level=PNG_COMPRESS_LEVEL)
    return buf.getvalue()


def figure_png(fig, dpi: int = CHART_DPI) -> bytes:
    """A figure as PNG bytes at the app's resolution, with fast compression (zlib level 1: the
    encoding is a third of a small chart's cost at the default level; the image is a few % larger)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buf.getvalue()


def _show(fig, key, dpi=CHART_DPI):
    """A figure as a PNG, redrawn when `key` changes (a figure updated in place is the same object)."""
    return _show_png(lambda: figure_png(fig, dpi), key)


@solara.component
def _show_png(make, key):
    """The PNG bytes `make()` returns, made again only when `key` changes (a component: its memo
    is its own, whichever panels the page shows)."""
    value = solara.use_memo(make, [key])
    return rw.Image(value=value, format="png")


def status_lines(model: AppModel) -> list[str]:
    res = model.result()
    ts = res.timeseries.iloc[-1]
    sc = model.scenario
    lines = [f"**{sc.title or sc.name}** — day {res.days} of {model.end_day} ({pd.Timestamp(ts['date']).date()})"
             + (" — **end of the scenario**" if not model.running else ""),
             f"S&P 500 {ts['SPX']:,.0f} · drawdown {100 * ts['spx_drawdown']:.1f}% · VOL 1M "
             f"{100 * ts['VOL_1M']:.1f} vol points · policy rate {100 * ts['policy_rate']:.2f}%"]
    if model.overrides:
        lines.append("overrides: " + ", ".join(f"`{k}` = {v:g}" for k, v in model.overrides.items()))
    if model.shock_sizes:
        lines.append("shocks: " + "; ".join(sh.describe() + f" (day {sh.at}, {sh.type_name})"
                                            for sh in model.scenario.shocks))
    lines.append(f"*What to look at:* {sc.narrative.look_at}")
    return lines


def model_params() -> dict:
    """The controls: scenario, seed, the parameter and the shock-size sliders (a Select, a text
    field and Slider specs with label, value, min, max and step)."""
    specs = param_specs()
    params: dict = {
        "scenario": {"type": "Select", "value": "baseline" if "baseline" in allowed_scenarios() else
                     next(iter(allowed_scenarios()), ""), "label": "Scenario", "values": list(allowed_scenarios())},
        "seed": {"type": "InputText", "value": "1", "label": "Seed"},
    }
    for s in SLIDERS:
        p = specs[s.key]
        default = p.default / s.scale
        lo, hi = (s.lo, s.hi) if s.lo is not None else (p.range or (p.min, p.max))
        lo, hi = min(lo, default), max(hi, default)
        step = s.step or (hi - lo) / 40
        params[s.name] = Slider(s.label, float(default), float(lo), float(hi), float(step))
    for s in SHOCK_SLIDERS:
        params[s.name] = Slider(s.label, 0.0, 0.0, float(s.hi), float(s.step))
    return params


@dataclass(frozen=True)
class Slider:
    label: str
    value: float
    min: float
    max: float
    step: float


def initial_values(params: dict) -> dict:
    return {k: (v["value"] if isinstance(v, dict) else v.value) for k, v in params.items()}


@solara.component
def Page():
    params = solara.use_memo(model_params, [])
    initial = solara.use_memo(lambda: initial_values(params), [])
    controls = solara.use_reactive(initial)                    # what the controls show
    built = solara.use_reactive(solara.use_memo(lambda: dict(initial), []))   # what the model was built with
    # built when a session first renders, never at import time
    first = solara.use_memo(lambda: AppModel(**controls.value), [])
    model = solara.use_reactive(first)
    ghost = solara.use_reactive(None)
    version = solara.use_reactive(0)          # bumped to redraw after the model changed
    playing = solara.use_reactive(False)
    cascade_day = solara.use_reactive(None)   # None: the default (shock day or first forced round)
    message = solara.use_reactive("")
    net_state = solara.use_memo(lambda: {"panel": None, "model": None}, [])
    overview = solara.use_memo(OverviewPanelState, [])     # one figure per session, redrawn in place
    lock = solara.use_memo(threading.RLock, [])   # a render may run inside a handler holding it

    def rebuild(values: dict):
        playing.value = False
        with lock:
            try:
                new = AppModel(**values)
            except InputError as e:
                message.value = f"not applied: {e}"
                return
            previous = ghost_of(model.value)
            if previous is not None:
                ghost.value = previous
            model.value = new
            built.value = dict(values)
        cascade_day.value = None
        message.value = ""
        version.value += 1

    def set_control(name, value):
        controls.value = {**controls.value, name: value}
        if name == "scenario":                # a new scenario applies at once
            rebuild(controls.value)

    def step():
        with lock:
            model.value.step()
        version.value += 1

    def play_loop():
        n = 0
        while playing.value:
            t = time.monotonic()
            with lock:
                m = model.value
                m.step()
            n += 1
            if not m.running:
                playing.value = False
                version.value += 1
                break
            if n % RENDER_EVERY == 0:
                version.value += 1
            time.sleep(max(0.0, PLAY_INTERVAL_MS / 1000 - (time.monotonic() - t)))

    solara.use_thread(play_loop, dependencies=[playing.value], intrusive_cancel=False)

    def export():
        try:
            path = model.value.export()
            message.value = f"exported to {path}"
        except InputError as e:
            message.value = f"export refused: {e}"

    m = model.value
    pending = [k for k in controls.value if k != "scenario" and controls.value[k] != built.value.get(k)]
    with solara.Sidebar():
        solara.Markdown("### interlock: capital-flow cascades")
        p = params["scenario"]
        solara.Select(label=p["label"], values=p["values"], value=controls.value["scenario"],
                      on_value=lambda v: set_control("scenario", v))
        solara.InputText(label="Seed", value=str(controls.value["seed"]), continuous_update=False,
                         on_value=lambda v: set_control("seed", v))
        for name, spec in params.items():
            if not isinstance(spec, Slider):
                continue
            val = controls.value[name]
            solara.SliderFloat(label=f"{spec.label}: {val:g}", value=val, min=spec.min, max=spec.max,
                               step=spec.step, thumb_label="always",
                               on_value=lambda v, name=name: set_control(name, float(v)))
        if pending:
            solara.Warning("pending: " + ", ".join(pending) + " changed — press Reset to apply", dense=True)
        with solara.Row():
            solara.Button("Step", on_click=step, disabled=playing.value or not m.running)
            solara.Button("Pause" if playing.value else "Play", disabled=not m.running and not playing.value,
                          on_click=lambda: playing.set(not playing.value))
            solara.Button("Reset", on_click=lambda: rebuild(dict(controls.value)))
        solara.Button("Export run", on_click=export, disabled=playing.value or m.day == 0)
        if message.value:
            solara.Info(message.value, dense=True)
    _ = version.value                          # redraw when the model moved
    with lock:                                 # not while the Play thread steps
        res = m.result()
    solara.Text(f"Step: {m.day}")
    solara.Text(f"Running: {m.scenario.name}, seed {m.sim.seed_value}")
    solara.Markdown("\n\n".join(status_lines(m)))
    with solara.Columns([3, 4]):
        ghost_now = ghost.value
        _show_png(lambda: overview.png(res, ghost_now, m.end_day), (id(m), m.day, version.value))
        with solara.Column():
            if playing.value:
                solara.Markdown("*Cascade and network panels are drawn when paused.*")
            else:
                last = m.day
                day = default_day(res) if cascade_day.value is None else min(int(cascade_day.value), last)
                solara.SliderInt(label=f"Cascade day: {day}", value=day, min=0, max=max(last, 1),
                                 thumb_label="always", on_value=cascade_day.set)
                # a finished day's cascade never changes: drawn once per (model, day)
                if net_state.get("cascade_key") != (id(m), day):
                    net_state["cascade"], net_state["cascade_key"] = cascade_figure(res, day), (id(m), day)
                fig, data = net_state["cascade"]
                rounds = data["rounds"]["round"].nunique()
                solara.Text(f"Cascade of day {day}: {rounds} clearing round{'s' if rounds != 1 else ''}")
                _show(fig, (id(m), day))           # a finished day: its picture never changes
                if net_state["model"] is not m:
                    net_state["panel"], net_state["model"] = NetworkPanelState(m), m
                panel = net_state["panel"]
                _show_png(lambda: panel.png(m), (id(m), m.day))
