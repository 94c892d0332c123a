"""Sweep specifications (TOML) and their designs: which runs a sweep makes.

A spec names a base scenario, the parameters to vary (by the same dotted key paths as `--set`),
a design, the seeds per point, the days and the outputs::

    scenario = "baseline"          # a shipped scenario or a path (relative to this file)
    days = 60                      # default: the scenario's
    seeds = 3                      # seeds 1, 2, 3 at every point; or a list: [1, 7, 42]
    disabled = []                  # agent classes switched off in every run
    amplification = false          # also run with the trading agents off (doubles the cost)

    [design]
    kind = "sobol"                 # grid | lhs | sobol | morris
    n = 64                         # lhs: points; sobol: base sample N (a power of two); morris: trajectories
    second_order = false           # sobol: also sample for second-order indices
    levels = 4                     # grid: levels of each `range` parameter; morris: grid levels (even)
    seed = 0                       # the design's own random seed (lhs, sobol scrambling, morris)

    [parameters]
    "vol_target.aum" = { range = [150, 1000] }                  # uniform
    "cta.aum" = {}                                              # the plausible range in the defaults
    "market.btc_multiplier" = { range = [2, 8], dist = "loguniform" }
    "market.equity_multiplier" = { range = [3, 8], dist = "triangular", mode = 5 }
    "market.transient_ratio" = { dist = "truncnormal", mean = 2, sd = 0.5, range = [1, 2.5] }
    "discretionary.n_traders" = { values = [10, 20, 50] }     # a list (categorical in lhs/sobol/morris)

    [overrides]                    # fixed for every run, on top of the scenario's
    "vol.variance_risk_premium" = 1.3

    [outputs]
    timeseries = false             # also keep time series ...
    every = 5                      # ... thinned to every k-th day
    columns = ["SPX", "VOL_1M"]    # ... of these columns (default: all)
    metrics = ""                   # "package.module:function" replacing the default summary metrics

Every design first draws points in the unit cube (grid levels, a Latin hypercube, SALib's
Saltelli/Sobol' sequence or SALib's Morris trajectories) and then maps each coordinate through
the parameter's distribution (its quantile function), so one mapping serves all four designs and
the analysis can use the unit-cube design as it was sampled. Integer parameters are rounded.

`load_spec` validates everything before anything runs: unknown top-level keys, unknown key paths
(with the same message as `--set`), empty or inverted ranges, values outside the parameter's
bounds, a point that puts a parameter `X_min` above its `X_max`, a Sobol N that is not a power of two, a Morris level count that is not even, unbounded
distributions in designs that sample the cube's faces (grid, Morris), unknown agent classes.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from SALib.sample import morris, sobol
from scipy import stats
from scipy.stats import qmc

from ...config import (ParamSpec, Params, check_min_max, flatten_overrides, min_max_pairs, param_specs,
                       refuse_run_length)
from ...errors import InputError
from ...io import error_key, flatten, read_toml
from ...model.model import agent_classes
from ..scenarios import load_scenario
from . import ishigami
from .budget import check_hard
from .jobs import METRIC_SETS, check_metrics_ref


# ----- the file's structure (pydantic: a typo is an error naming the key) ----------------------
class _Axis(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)   # "126" is not a number
    range: list[float] | None = None
    values: list[Any] | None = None
    dist: Literal["uniform", "loguniform", "triangular", "normal", "truncnormal"] | None = None
    levels: int | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None


class _Design(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)   # "126" is not a number
    kind: Literal["grid", "lhs", "sobol", "morris"]
    n: int | None = None
    second_order: bool = False
    levels: int = Field(default=4)
    seed: int = Field(default=0, ge=0)


class _Outputs(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)   # "126" is not a number
    timeseries: bool = False
    every: int = Field(default=1, ge=1)
    columns: list[str] | None = None
    metrics: str = ""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)   # "126" is not a number
    name: str = ""
    model: Literal["interlock", "ishigami"] = "interlock"
    scenario: str = "baseline"
    days: int | None = Field(default=None, ge=1, le=20000)
    seeds: int | list[int] = 1
    disabled: list[str] = Field(default_factory=list)
    amplification: bool = False
    design: _Design
    parameters: dict[str, _Axis]
    overrides: dict[str, Any] = Field(default_factory=dict)
    outputs: _Outputs = _Outputs()


def _spec_allowed(loc: tuple, unknown: bool) -> str | None:
    """What the spec allows at a pydantic error's location: the keys of its table for an unknown
    key (`design.levls` → the keys of [design]), else what its field takes (`days` → "an integer
    from 1 to 20000")."""
    model, table = _Spec, None
    if len(loc) >= 2 and loc[0] in ("design", "outputs"):
        model, table = {"design": _Design, "outputs": _Outputs}[loc[0]], f"[{loc[0]}]"
    elif len(loc) >= 3 and loc[0] == "parameters":
        model, table = _Axis, f"a parameter's table ({loc[1]})"
    if unknown:
        return (f"keys of {table}: " if table else "top-level keys: ") + ", ".join(model.model_fields)
    field = model.model_fields.get(str(loc[-1]))
    if field is None:
        return None
    ann = field.annotation
    kinds = typing.get_args(ann) or (ann,)
    limits = {a: getattr(m, a) for m in field.metadata for a in ("ge", "le") if getattr(m, a, None) is not None}
    if typing.get_origin(ann) is Literal:
        return "one of " + ", ".join(repr(k) for k in kinds)
    if ann is bool:
        return "true or false"
    if int in kinds:
        if "ge" in limits and "le" in limits:
            what = f"an integer from {limits['ge']} to {limits['le']}"
        else:
            what = "an integer" + (f" ≥ {limits['ge']}" if "ge" in limits else "")
        return what + (", or a list of integers" if any(typing.get_origin(k) is list for k in kinds) else "")
    if ann is str:
        return "text"
    return None


# ----- validated spec ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Axis:
    """One varied parameter: its key path, how it is drawn, and its spec (bounds, type)."""

    key: str
    dist: str | None                  # None for a list of values
    values: tuple | None = None
    lo: float | None = None
    hi: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    levels: int | None = None
    integer: bool = False

    def from_unit(self, u: np.ndarray) -> list:
        """Map unit-cube coordinates to parameter values (the distribution's quantile function)."""
        u = np.asarray(u, dtype=float)
        if self.values is not None:
            idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in idx]
        if self.dist == "uniform":
            x = self.lo + u * (self.hi - self.lo)
        elif self.dist == "loguniform":
            x = np.exp(math.log(self.lo) + u * (math.log(self.hi) - math.log(self.lo)))
        elif self.dist == "triangular":
            x = stats.triang.ppf(u, c=(self.mode - self.lo) / (self.hi - self.lo), loc=self.lo,
                                 scale=self.hi - self.lo)
        elif self.dist == "normal":
            x = stats.norm.ppf(u, loc=self.mean, scale=self.sd)
        else:  # truncnormal
            a, b = (self.lo - self.mean) / self.sd, (self.hi - self.mean) / self.sd
            x = stats.truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd)
        if self.integer:
            return [int(round(v)) for v in x]
        return [float(v) for v in x]

    def grid_units(self, default_levels: int) -> np.ndarray:
        if self.values is not None:
            return (np.arange(len(self.values)) + 0.5) / len(self.values)
        return np.linspace(0.0, 1.0, self.levels or default_levels)


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec. `points()` gives the design; `problem()` the SALib problem."""

    name: str
    model: str
    scenario: Any                     # a Scenario (model "interlock") or None
    days: int
    seeds: tuple[int, ...]
    disabled: tuple[str, ...]
    amplification: bool
    design: str
    n: int | None
    second_order: bool
    levels: int
    design_seed: int
    axes: tuple[Axis, ...]
    overrides: dict[str, Any]
    timeseries_every: int | None
    timeseries_columns: tuple[str, ...] | None
    metrics: str
    source: str = ""
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def keys(self) -> list[str]:
        return [a.key for a in self.axes]

    def unit_design(self) -> np.ndarray:
        """The design in the unit cube, one row per point, in point_id order."""
        k = len(self.axes)
        if self.design == "grid":
            levels = [a.grid_units(self.levels) for a in self.axes]
            return np.array(list(itertools.product(*levels)), dtype=float).reshape(-1, k)
        if self.design == "lhs":
            rng = np.random.default_rng(self.design_seed)
            try:
                sampler = qmc.LatinHypercube(d=k, rng=rng)
            except TypeError:         # SciPy < 1.15 names it `seed`
                sampler = qmc.LatinHypercube(d=k, seed=rng)
            return sampler.random(self.n)
        if self.design == "sobol":
            return sobol.sample(self.problem(), self.n, calc_second_order=self.second_order,
                                seed=self.design_seed)
        return morris.sample(self.problem(), self.n, num_levels=self.levels, seed=self.design_seed)

    def points(self) -> list[dict[str, Any]]:
        """The design's parameter values, one dict (key path → value) per point."""
        u = self.unit_design()
        cols = [a.from_unit(u[:, j]) for j, a in enumerate(self.axes)]
        return [dict(zip(self.keys, row)) for row in zip(*cols)]

    def problem(self) -> dict:
        """The SALib problem. Designs are sampled in the unit cube and mapped through each
        parameter's distribution, so the problem (and the analysis) has unit bounds."""
        return {"num_vars": len(self.axes), "names": self.keys, "bounds": [[0.0, 1.0]] * len(self.axes)}

    def n_points(self) -> int:
        k = len(self.axes)
        if self.design == "grid":
            return math.prod(len(a.grid_units(self.levels)) for a in self.axes)
        if self.design == "lhs":
            return self.n
        if self.design == "sobol":
            return self.n * (2 * k + 2 if self.second_order else k + 2)
        return self.n * (k + 1)

    def canonical(self) -> dict:
        """What defines the sweep's runs (written to DIR/spec.toml; compared on --resume)."""
        return self.raw


# ----- the parameters of the models a sweep can run (jobs.MODELS) --------------------------------
def model_param_specs(model: str) -> dict[str, ParamSpec]:
    if model == "ishigami":
        return ishigami.param_specs()
    return param_specs()


def _unknown_key(key: str, model: str, origin: str) -> InputError:
    """The same message as an unknown `--set` key (config.Params.with_overrides); a key path that is a
    parameter plus one more part is a misspelt field of that parameter's table (`{ rnage = … }`)."""
    head, _, field_name = key.rpartition(".")
    if head in model_param_specs(model):
        close = difflib.get_close_matches(field_name, sorted(_AXIS_FIELDS), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        return InputError(f"unknown field {field_name!r} in the table of {head}{hint}", file=origin,
                          key=f"parameters.{head}", allowed=", ".join(sorted(_AXIS_FIELDS)))
    if model == "interlock":
        try:
            Params.defaults().with_overrides({key: None}, origin=origin)
        except InputError as e:
            return e
    close = difflib.get_close_matches(key, list(model_param_specs(model)), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return InputError(f"unknown parameter{hint}", file=origin, key=key,
                      allowed=", ".join(sorted(model_param_specs(model))))


_DIST_FIELDS = {"uniform": {"range", "levels"}, "loguniform": {"range", "levels"},
                "triangular": {"range", "mode", "levels"}, "normal": {"mean", "sd"},
                "truncnormal": {"range", "mean", "sd"}}


def _axis(key: str, raw: _Axis, spec: ParamSpec, design: str, origin: str) -> Axis:
    k = f"parameters.{key}"
    integer = isinstance(spec.default, int) and not isinstance(spec.default, bool)
    given = {f for f, v in raw.model_dump().items() if v is not None} - {"dist"}
    if raw.values is not None:
        if given - {"values"} or raw.dist is not None:
            raise InputError("give either `values` or a distribution, not both", file=origin, key=k)
        if len(raw.values) == 0:
            raise InputError("empty list of values", file=origin, key=k, allowed="a non-empty list")
        vals = tuple(spec.check(v, origin) for v in raw.values)
        if len(set(map(repr, vals))) != len(vals):
            raise InputError(f"repeated values {list(raw.values)}", file=origin, key=k)
        return Axis(key, None, values=vals, integer=integer)
    if not isinstance(spec.default, (int, float)) or isinstance(spec.default, bool):
        raise InputError("only numbers take a distribution; list the choices with `values`",
                         file=origin, key=k, allowed=spec.allowed())
    dist = raw.dist or "uniform"
    extra = given - _DIST_FIELDS[dist]
    if extra:
        raise InputError(f"{', '.join(sorted(extra))} does not apply to a {dist} distribution",
                         file=origin, key=k, allowed=", ".join(sorted(_DIST_FIELDS[dist])))
    lo = hi = None
    if dist != "normal":
        rng = raw.range
        if rng is None:
            if spec.range is None:
                raise InputError("no range given and the parameter has no plausible range",
                                 file=origin, key=k, allowed="range = [lo, hi] or values = [...]")
            rng = list(spec.range)
        if len(rng) != 2:
            raise InputError(f"a range is [lo, hi], got {rng}", file=origin, key=k)
        lo, hi = float(rng[0]), float(rng[1])
        if not hi > lo:
            raise InputError(f"empty range [{rng[0]}, {rng[1]}]", file=origin, key=k,
                             allowed="[lo, hi] with lo < hi")
        if integer and math.floor(hi) <= math.ceil(lo):
            raise InputError(f"a whole-number parameter needs two whole numbers in [{rng[0]}, {rng[1]}]",
                             file=origin, key=k)
        for end in (lo, hi):
            spec.check(int(round(end)) if integer else end, origin)
    if dist == "loguniform" and lo <= 0:
        raise InputError("a loguniform range must be positive", file=origin, key=k)
    if dist == "triangular" and (raw.mode is None or not lo <= raw.mode <= hi):
        raise InputError("a triangular distribution needs `mode` inside its range", file=origin, key=k)
    if dist in ("normal", "truncnormal") and (raw.mean is None or raw.sd is None or not raw.sd > 0):
        raise InputError(f"a {dist} distribution needs `mean` and `sd` > 0", file=origin, key=k)
    if dist == "normal" and design in ("grid", "morris"):
        raise InputError(f"a {design} design samples the ends of each range; a normal has none",
                         file=origin, key=k, allowed="uniform, loguniform, triangular, truncnormal, or values")
    if raw.levels is not None:
        if design != "grid":
            raise InputError("per-parameter `levels` only apply to a grid design", file=origin, key=k)
        if raw.levels < 2:
            raise InputError(f"levels must be at least 2, got {raw.levels}", file=origin, key=k)
    return Axis(key, dist, lo=lo, hi=hi, mode=raw.mode, mean=raw.mean, sd=raw.sd, levels=raw.levels,
                integer=integer)


def _check_design(d: _Design, n_axes: int, origin: str) -> None:
    if d.kind == "grid":
        if d.n is not None:
            raise InputError("a grid has no `n`: its size is the product of the levels", file=origin,
                             key="design.n")
        if d.levels < 2:
            raise InputError(f"levels must be at least 2, got {d.levels}", file=origin, key="design.levels")
        return
    if d.n is None or d.n < 1:
        what = {"lhs": "the number of points", "sobol": "the base sample size N (a power of two)",
                "morris": "the number of trajectories"}[d.kind]
        raise InputError(f"a {d.kind} design needs `n`, {what}", file=origin, key="design.n",
                         allowed="an integer ≥ 1")
    if d.kind == "sobol":
        if d.n & (d.n - 1):
            lower = 1 << (d.n.bit_length() - 1)
            raise InputError(f"Saltelli's Sobol' sample needs N a power of two, got {d.n}", file=origin,
                             key="design.n", allowed=f"e.g. {lower} or {lower * 2}")
    if d.kind == "morris":
        if d.levels < 2 or d.levels % 2:
            raise InputError(f"Morris needs an even number of levels ≥ 2, got {d.levels}", file=origin,
                             key="design.levels", allowed="4, 6, 8, …")
        if d.n < 2:
            raise InputError(f"Morris needs at least 2 trajectories, got {d.n}", file=origin, key="design.n")
    if d.kind != "sobol" and d.second_order:
        raise InputError("second_order only applies to a sobol design", file=origin, key="design.second_order")
    if d.kind in ("sobol", "morris") and n_axes < 1:
        raise InputError("no parameters to vary", file=origin, key="parameters")


def parse_spec(raw: dict, origin: str, base_dir: Path | None = None, for_analysis: bool = False) -> SweepSpec:
    """Validate a spec given as a dict (the parsed TOML); `base_dir` resolves a relative scenario
    path. Raises InputError naming the file, the key and what is allowed. `for_analysis` skips
    what only running needs (loading the scenario, checking every drawn value)."""
    raw = dict(raw)
    for key, what in (("parameters", 'a table of key paths, e.g. "vol_target.aum" = { range = [150, 1000] }'),
                      ("overrides", 'a table of key paths, e.g. "cta.aum" = 500'),
                      ("design", 'a table, e.g. [design] kind = "lhs"'), ("outputs", "a table, e.g. [outputs] timeseries = true")):
        if key in raw and not isinstance(raw[key], Mapping):
            raise InputError(f"must be a table, got {raw[key]!r}", file=origin, key=key, allowed=what)
    raw["parameters"] = flatten_axes(raw.get("parameters", {}), origin)
    model = raw.get("model", "interlock") if raw.get("model") in ("interlock", "ishigami") else "interlock"
    for key in raw["parameters"]:                 # `{ rnage = … }` flattens to a key path one part too long
        if key not in model_param_specs(model) and key.rpartition(".")[0] in model_param_specs(model):
            raise _unknown_key(key, model, origin)
    raw["overrides"] = flatten_overrides(raw.get("overrides", {}), origin)
    try:
        s = _Spec(**raw)
    except ValidationError as e:
        errors = e.errors()
        err = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
        loc = err["loc"]
        if loc[0] not in ("design", "outputs", "parameters"):
            loc = loc[:1]                     # `seeds.int`: pydantic's tag of a member of `int | list[int]`
        allowed = _spec_allowed(loc, err["type"] == "extra_forbidden")
        raise InputError(f"{err['msg']} (got {err.get('input')!r})" if err["type"] != "missing"
                         else err["msg"], file=origin, key=error_key(loc), allowed=allowed) from None
    if not s.parameters:
        raise InputError("no parameters to vary", file=origin, key="parameters",
                         allowed="a table of key paths, e.g. \"vol_target.aum\" = { range = [150, 1000] }")
    _check_design(s.design, len(s.parameters), origin)

    scenario = None
    if s.model == "interlock" and not for_analysis:
        path = Path(s.scenario)
        if base_dir is not None and (path.suffix == ".toml") and not path.is_absolute():
            path = base_dir / path
        scenario = load_scenario(path if path.suffix == ".toml" else s.scenario)
        days = s.days if s.days is not None else scenario.run.days
    else:
        days = s.days if s.days is not None else 1 if s.model != "interlock" else 0

    specs = model_param_specs(s.model)
    axes = []
    for key in [*s.parameters, *s.overrides]:
        refuse_run_length(key, origin)
    for key, ax in s.parameters.items():
        if key not in specs:
            raise _unknown_key(key, s.model, origin)
        axes.append(_axis(key, ax, specs[key], s.design.kind, origin))
    for key, v in s.overrides.items():
        if key not in specs:
            raise _unknown_key(key, s.model, origin)
        if key in s.parameters:
            raise InputError("a parameter cannot be both fixed in [overrides] and varied", file=origin,
                             key=f"overrides.{key}")
        s.overrides[key] = specs[key].check(v, origin)

    if isinstance(s.seeds, int):
        if s.seeds < 1:
            raise InputError(f"seeds must be at least 1, got {s.seeds}", file=origin, key="seeds",
                             allowed="a count ≥ 1 or a list of seeds")
        seeds = tuple(range(1, s.seeds + 1))
    else:
        if not s.seeds or any(x < 0 for x in s.seeds) or len(set(s.seeds)) != len(s.seeds):
            raise InputError(f"seeds must be distinct non-negative integers, got {s.seeds}", file=origin,
                             key="seeds")
        seeds = tuple(s.seeds)
    if s.disabled:
        unknown = sorted(set(s.disabled) - set(agent_classes()))
        if unknown:
            raise InputError(f"unknown agent class {unknown}", file=origin, key="disabled",
                             allowed=", ".join(agent_classes()))
    if s.outputs.metrics:
        s.outputs.metrics = _check_function_ref(s.outputs.metrics, origin, "outputs.metrics")
    if s.outputs.columns is not None and not s.outputs.timeseries:
        raise InputError("columns given but timeseries = false", file=origin, key="outputs.columns")

    canonical = {
        "name": s.name or Path(origin).stem, "model": s.model,
        "scenario": (scenario.path if scenario is not None and Path(s.scenario).suffix == ".toml"
                     else s.scenario) if s.model == "interlock" else "",
        "days": days, "seeds": list(seeds), "disabled": sorted(s.disabled),
        "amplification": s.amplification,
        "design": {k: v for k, v in s.design.model_dump().items() if v is not None},
        "parameters": {k: {f: v for f, v in ax.model_dump().items() if v is not None}
                       for k, ax in s.parameters.items()},
        "overrides": dict(s.overrides),
        "outputs": {k: v for k, v in s.outputs.model_dump().items() if v is not None},
    }
    if isinstance(canonical["scenario"], str) and canonical["scenario"].endswith(".toml"):
        canonical["scenario"] = str(Path(canonical["scenario"]).resolve())
    spec = SweepSpec(
        name=canonical["name"], model=s.model, scenario=scenario, days=days, seeds=seeds,
        disabled=tuple(sorted(s.disabled)), amplification=s.amplification, design=s.design.kind,
        n=s.design.n, second_order=s.design.second_order, levels=s.design.levels,
        design_seed=s.design.seed, axes=tuple(axes), overrides=dict(s.overrides),
        timeseries_every=s.outputs.every if s.outputs.timeseries else None,
        timeseries_columns=tuple(s.outputs.columns) if s.outputs.columns else None,
        metrics=s.outputs.metrics, source=origin, raw=canonical)
    check_hard(spec.n_points(), spec.n_points() * len(spec.seeds), origin, "design")   # before drawing it
    if not for_analysis:
        _check_points(spec, specs, origin)
    return spec


_AXIS_FIELDS = frozenset(_Axis.model_fields)


def is_axis(table: Mapping) -> bool:
    """A table whose keys are all axis fields (or none) describes one varied parameter."""
    return not table or set(table) <= _AXIS_FIELDS


def flatten_axes(tree: Mapping, origin: str | None = None) -> dict[str, Any]:
    """`[parameters] "cta.aum" = {range=…}` and `[parameters.cta] aum = {range=…}` alike: a table
    whose keys are all axis fields is an axis, any other table is a level of the key path (a
    value that is not a table is kept: pydantic reports it). With `origin`, a key path given
    both ways is an error naming it."""
    return flatten(tree, is_leaf=is_axis, origin=origin)


def _check_function_ref(ref: str, origin: str, key: str) -> str:
    """A spec's metrics function: a shipped metric set or a function of a module you installed
    (`jobs.check_metrics_ref`); the resolved "module:function"."""
    try:
        return check_metrics_ref(ref)
    except (ImportError, AttributeError, ValueError) as e:
        raise InputError(f"cannot use {ref!r}: {e}", file=origin, key=key,
                         allowed=f"a shipped metric set ({', '.join(METRIC_SETS)}) or \"yourpackage.module:function\"") from None


def _check_points(spec: SweepSpec, specs: dict[str, ParamSpec], origin: str) -> None:
    """Check every value the design will use against the parameter's bounds, before any run
    (a normal distribution can reach past a bound; the error names the key and the value)."""
    if spec.n_points() == 0:
        raise InputError("the design has no points", file=origin, key="design")
    u = spec.unit_design()
    drawn = {}
    for j, ax in enumerate(spec.axes):
        vals = ax.from_unit(u[:, j])
        for v in {repr(v): v for v in vals}.values():
            specs[ax.key].check(v, f"{origin} [parameters] (a value the design draws)")
        drawn[ax.key] = vals
    if spec.scenario is None:
        return
    # a pair X_min/X_max must keep min ≤ max at every point, on top of the scenario and [overrides]
    base = spec.scenario.params(spec.overrides, origin=origin).values
    pairs = [pr for pr in min_max_pairs(base) if pr[0] in drawn or pr[1] in drawn]
    for i in range(len(u) if pairs else 0):
        point = {k: (drawn[k][i] if k in drawn else base[k]) for pr in pairs for k in pr}
        check_min_max(point, f"{origin} [parameters] (a point the design draws)", pairs)


def load_spec(path: str | Path, for_analysis: bool = False) -> SweepSpec:
    """Read and validate a sweep spec file (see `parse_spec`)."""
    p = Path(path)
    raw = read_toml(p, "spec file")
    return parse_spec(raw, str(p), base_dir=p.parent, for_analysis=for_analysis)


def spec_hash(canonical: dict) -> str:
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()[:16]
