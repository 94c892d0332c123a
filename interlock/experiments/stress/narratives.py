"""Narratives: a seed note's story turned into claims a stress test can check (issue #6).

A narrative file (TOML) says what is claimed, where the claim comes from, in which scenario and
over which uncertain parameters it is tested::

    name = "vol_target_amplifies"
    title = "Vol-target funds amplify moves in both directions"
    scenario = "vol_shock"              # a shipped scenario or a path (relative to this file)

    [narrative]
    what = "…"                          # the story in words (goes into the report)
    look_at = "…"                       # optional: what to read in the report

    [source]                            # the seed passage, quoted exactly (docs/seed_passages.md)
    note = "001"
    passage_id = "001.vol_target"
    passage = "…"                       # several lines of the passage: joined by newlines
    translation = "…"
    [[source.also]]                     # optional: further passages, same fields

    [run]
    days = 126                          # default: the scenario's
    samples = 64                        # parameter points (Latin hypercube)
    seeds = 4                           # seeds per point (1..seeds)
    design_seed = 0                     # the sampling's own seed

    [uncertain]                         # parameters to sample: the same syntax as a sweep spec
    "vol_target.aum" = {}               # the plausible range in the defaults, uniform
    "market.btc_multiplier" = { range = [2, 8], dist = "loguniform" }

    [overrides]                         # fixed for every run, on top of the scenario's
    "fed.put_enabled" = true

    [series]                            # named series the claims may use
    ai_complex = "NVDA + AMD + AVGO"

    [[claims]]
    name = "sells_into_the_shock"
    says = "Vol-target funds sell more than $20bn in the month after the shock."
    claim = "sum(flows, class=vol_target, asset=SPX, days=20..41) < -20"

    [report]
    series = ["SPX", "VOL_1M"]          # fan-chart series, at most 6 (default: the columns the claims read)
    switch_off = ["vol_target", "cta"]  # agent classes to switch off in turn (default: all)

`load_narrative` validates everything before a run is made: the scenario, the parameters (with
the sweep spec's rules and messages), every claim against what a short probe run of the scenario
records, the report's series and classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ...config import flatten_overrides
from ...errors import InputError
from ...io import DATA_DIR, error_key, read_toml
from ...model.model import agent_classes
from ..runner import run
from ..scenarios import Scenario
from ..sweeps.spec import SweepSpec, flatten_axes, parse_spec
from .claims import Claim, Schema, compile_claim

PROBE_DAYS = 3          # a probe run tells which columns, metrics and classes a scenario records
MAX_FAN_SERIES = 6      # panels per fan chart (more would be unreadable)


class _Narrative(BaseModel):
    model_config = ConfigDict(extra="forbid")
    what: str = Field(min_length=1)
    look_at: str = ""


class _Quote(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(pattern=r"^00[0-4]$", description="seed note id 000–004")
    passage_id: str = Field(pattern=r"^00[0-4]\.[a-z0-9_]+$")
    passage: str = Field(min_length=1, description="verbatim; several lines of one passage joined by newlines")
    translation: str = Field(min_length=1)


class _Source(_Quote):
    also: list[_Quote] = Field(default_factory=list, description="further passages the claims use")


class _Run(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days: int | None = Field(default=None, ge=2, le=20000)
    samples: int = Field(default=64, ge=1, le=100000)
    seeds: int = Field(default=4, ge=1, le=1000)
    design_seed: int = Field(default=0, ge=0)


class _ClaimSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    says: str = Field(min_length=1)
    claim: str = Field(min_length=1)


class _Report(BaseModel):
    model_config = ConfigDict(extra="forbid")
    series: list[str] = Field(default_factory=list)
    switch_off: list[str] | None = None


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$")
    title: str = Field(min_length=1)
    scenario: str = Field(min_length=1)
    narrative: _Narrative
    source: _Source
    run: _Run = _Run()
    uncertain: dict[str, Any] = Field(default_factory=dict)
    overrides: dict[str, Any] = Field(default_factory=dict)
    series: dict[str, str] = Field(default_factory=dict)
    claims: list[_ClaimSpec] = Field(min_length=1)
    report: _Report = _Report()


@dataclass
class NarrativeClaim:
    name: str
    says: str
    claim: Claim


@dataclass
class Narrative:
    """A validated narrative: its story, its source, the sweep that tests it and its claims."""

    name: str
    title: str
    what: str
    look_at: str
    source: _Source
    scenario: Scenario
    spec: SweepSpec                   # the sweep of the on-runs (a Latin hypercube)
    claims: list[NarrativeClaim]
    schema: Schema
    series: list[str]                 # fan-chart columns
    switch_off: list[str]
    aliases: dict[str, str] = field(default_factory=dict)
    path: str = ""

    @property
    def days(self) -> int:
        return self.spec.days

    @property
    def keys(self) -> list[str]:
        return self.spec.keys


def shipped_dir() -> Path:
    return DATA_DIR / "narratives"


def list_narratives() -> list[Path]:
    return sorted(shipped_dir().glob("*.toml"))


def resolve_path(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        return p
    q = shipped_dir() / f"{name_or_path}.toml"
    if q.exists():
        return q
    names = sorted(x.stem for x in list_narratives())
    raise InputError(f"unknown narrative {str(name_or_path)!r}", file="narrative",
                     allowed=", ".join(names) + ", or a path to a .toml file")


def _rekey(e: InputError, origin: str, uncertain: dict) -> InputError:
    """Sweep-spec errors speak of [parameters]; a narrative calls them [uncertain]."""
    key = e.key
    if key and key.startswith("parameters"):
        key = "uncertain" + key[len("parameters"):]
    elif key in uncertain:
        key = f"uncertain.{key}"
    detail = e.detail.replace("[parameters]", "[uncertain]")
    return InputError(detail, file=origin, key=key, allowed=e.allowed)


def build_spec(raw_uncertain: dict, overrides: dict, scenario_ref: str, days: int | None,
               samples: int, seeds: int, design_seed: int, name: str, origin: str, base_dir: Path):
    """The narrative's on-runs as a sweep spec: a Latin hypercube over the uncertain parameters."""
    raw = {"name": name, "scenario": scenario_ref, "seeds": seeds,
           "design": {"kind": "lhs", "n": samples, "seed": design_seed},
           "parameters": raw_uncertain, "overrides": overrides}
    if days is not None:
        raw["days"] = days
    try:
        return parse_spec(raw, origin, base_dir=base_dir)
    except InputError as e:
        raise _rekey(e, origin, raw_uncertain) from None


def probe_schema(scenario, overrides: dict, days: int, aliases: dict[str, str]) -> Schema:
    """Run the scenario for a few days to learn what a run records (columns, assets, metrics)."""
    result = run(scenario, days=min(PROBE_DAYS, days), seed=0, overrides=overrides, amplification=False)
    return Schema.from_run(result, aliases=aliases, days=days)


def load_narrative(name_or_path: str | Path, *, samples: int | None = None, seeds: int | None = None,
                   days: int | None = None) -> Narrative:
    """Read and validate a narrative (a shipped name or a path). `samples`, `seeds` and `days`
    override the file's [run] values (CLI options). Errors name the file, the key and what is
    allowed; a bad claim is quoted."""
    path = resolve_path(name_or_path)
    origin = str(path)
    raw = read_toml(path, "narrative file")
    try:
        f = _File(**raw)
    except ValidationError as e:
        err = e.errors()[0]
        allowed = None
        if err["type"] == "extra_forbidden":
            allowed = "top-level keys: " + ", ".join(_File.model_fields)
        raise InputError(err["msg"] if err["type"] == "missing" else f"{err['msg']} (got {err.get('input')!r})",
                         file=origin, key=error_key(err["loc"]), allowed=allowed) from None
    for opt, v in (("--samples", samples), ("--seeds", seeds), ("--days", days)):
        if v is not None and v < (2 if opt == "--days" else 1):
            raise InputError(f"{opt} must be at least {2 if opt == '--days' else 1}, got {v}", key=opt)
    names = [c.name for c in f.claims]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"claim names must be unique: {dup}", file=origin, key="claims")

    uncertain = flatten_axes(f.uncertain, origin)
    overrides = flatten_overrides(f.overrides, origin)
    spec = build_spec(uncertain, overrides, f.scenario, days if days is not None else f.run.days,
                      samples or f.run.samples, seeds or f.run.seeds, f.run.design_seed, f.name,
                      origin, path.parent)
    scenario = spec.scenario
    schema = probe_schema(scenario, dict(spec.overrides), spec.days, {})
    for alias, text in f.series.items():
        try:
            schema.add_alias(alias, text)
        except InputError as e:
            raise InputError(e.detail, file=origin, key=f"series.{alias}", allowed=e.allowed) from None
    claims = []
    for i, c in enumerate(f.claims):
        claims.append(NarrativeClaim(c.name, c.says.strip(),
                                     compile_claim(c.claim, schema, name=c.name,
                                                   where=f"{origin}: claims[{i}] ({c.name})")))
    classes = agent_classes()
    switch_off = f.report.switch_off if f.report.switch_off is not None else classes
    unknown = sorted(set(switch_off) - set(classes))
    if unknown:
        raise InputError(f"unknown agent class {unknown}", file=origin, key="report.switch_off",
                         allowed=", ".join(classes))
    series = list(f.report.series)
    if len(series) > MAX_FAN_SERIES:
        raise InputError(f"at most {MAX_FAN_SERIES} series per fan chart, got {len(series)}", file=origin,
                         key="report.series")
    if not series:
        for c in claims:
            for n in c.claim.names():
                if n not in series:
                    series.append(n)
    bad = [s for s in series if s not in schema.columns]
    if bad:
        raise InputError(f"unknown series {bad}", file=origin, key="report.series",
                         allowed=", ".join(schema.columns))
    return Narrative(name=f.name, title=f.title, what=f.narrative.what.strip(),
                     look_at=f.narrative.look_at.strip(), source=f.source, scenario=scenario,
                     spec=spec, claims=claims, schema=schema, series=series[:MAX_FAN_SERIES],
                     switch_off=[c for c in classes if c in switch_off], aliases=dict(f.series),
                     path=origin)
