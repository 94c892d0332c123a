"""Scenarios: data files (TOML), never code (MODEL.md §4).

A scenario file has a name and title, a `[narrative]` (what it is, how it works, what to look at
in the output, what to try next — the NetLogo Info sections), the `[source]` note and passage it
comes from, `[run]` defaults (days, seed), parameter `[overrides]` by key path, and a list of
timed `[[shocks]]`. Shipped scenarios live in `interlock/data/scenarios/`; a user's own file is
accepted by path.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..config import Params, flatten_overrides, param_specs
from ..errors import InputError
from ..inputs import snapshots
from ..io import DATA_DIR, error_key, read_toml
from ..model.shocks import SHOCK_TYPES, Shock


class Narrative(BaseModel):
    model_config = ConfigDict(extra="forbid")
    what: str = Field(min_length=1, description="WHAT IS IT: the story in a paragraph")
    how: str = Field(default="", description="HOW IT WORKS: the mechanism in the model")
    look_at: str = Field(min_length=1, description="THINGS TO NOTICE in the outputs")
    try_next: str = Field(default="", description="THINGS TO TRY")


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(description="seed note id (000–004) or 'external'")
    passage_id: str = ""
    passage: str = Field(default="", description="the passage, quoted")
    translation: str = ""
    references: list[str] = Field(default_factory=list, description="external figures used")


def _default_days() -> int:
    return param_specs()["run.days"].default


class RunDefaults(BaseModel):
    """`[run]`: strict, so a number written as text (`days = "126"`) is refused, not read."""

    model_config = ConfigDict(extra="forbid", strict=True)
    days: int = Field(default_factory=_default_days, ge=1, le=20000, description="default: run.days")
    seed: int = Field(default=1, ge=0)


class Scenario(BaseModel):
    """A validated scenario."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    name: str = Field(min_length=1)
    title: str = ""
    narrative: Narrative
    source: Source
    run: RunDefaults = Field(default_factory=RunDefaults)
    overrides: dict[str, Any] = Field(default_factory=dict)
    shocks: list[Shock] = Field(default_factory=list)
    path: str = ""

    def params(self, extra: dict[str, Any] | None = None, origin: str = "--set") -> Params:
        """Defaults + the snapshot of the start date (its market levels, `inputs.snapshots`) + this
        scenario's overrides + `extra` (e.g. CLI --set), validated. The start date is the one the
        run will have (`extra`'s, else the scenario's, else the default); a date without a snapshot
        is an InputError."""
        here = self.path or self.name
        base = Params.defaults()
        overrides, extra = _iso_dates(self.overrides), _iso_dates(extra or {})
        snap, _ = snapshot_for(base, overrides, here, extra, origin)
        p = base.with_overrides(snap.overrides(base.names_under("assets")), origin=str(snap.folder / "market.toml"))
        p = p.with_overrides(overrides, origin=here)
        if extra:
            p = p.with_overrides(extra, origin=origin)

        def where(pair: tuple[str, str]) -> str:        # the last layer that set either key
            for layer, name in ((extra, origin), (overrides, here)):
                if any(k in layer for k in pair):
                    return name
            return base_file(pair[0])
        p.check_min_max(where)
        return p


def base_file(key: str) -> str:
    """The defaults file that defines parameter `key`."""
    return param_specs()[key].file


def _iso_dates(values: Mapping[str, Any]) -> dict[str, Any]:
    """A date written bare in TOML (`--set run.start_date=2025-01-24`, `"run.start_date" = 2025-01-24`)
    arrives as a date object: the parameter is its ISO text."""
    return {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in values.items()}


SNAPSHOT_KEYS = ("run.start_date", "interlock.snapshot.dir", "interlock.snapshot.max_age_days")


def snapshot_for(base: Params, overrides: Mapping[str, Any], here: str, extra: Mapping[str, Any],
                 origin: str) -> tuple[snapshots.Snapshot, dict[str, Any]]:
    """The snapshot a run selects and the values it was selected with: the start date and snapshot
    settings are checked first (a bad value is an InputError naming where it was written), then
    `inputs.snapshots.select`."""
    specs = param_specs()
    vals = {}
    for key in SNAPSHOT_KEYS:
        value, where = base[key], "defaults"
        for layer, name in ((overrides, here), (extra, origin)):
            if key in layer:
                value, where = layer[key], name
        vals[key] = specs[key].check(value, where)
        if key == "run.start_date":
            snapshots.parse_date(vals[key], where)
    snap = snapshots.select(vals["run.start_date"], vals["interlock.snapshot.dir"],
                            vals["interlock.snapshot.max_age_days"])
    return snap, vals


TOP_LEVEL = "top-level keys: name, title, narrative, source, run, overrides, shocks"


def _allowed(key: str) -> str:
    """What a scenario key allows, read from its field (`run.days` → "an integer from 1 to 20000")."""
    section, _, name = key.partition(".")
    model = {"run": RunDefaults, "narrative": Narrative, "source": Source}.get(section)
    field = model.model_fields.get(name) if model is not None and name else Scenario.model_fields.get(section)
    if field is None:
        return TOP_LEVEL if model is None else f"keys of [{section}]: " + ", ".join(model.model_fields)
    limits = {attr: getattr(m, attr) for m in field.metadata for attr in ("ge", "le", "min_length")
              if getattr(m, attr, None) is not None}
    if field.annotation is int:
        if "ge" in limits and "le" in limits:
            return f"an integer from {limits['ge']} to {limits['le']}"
        return "an integer" + (f" ≥ {limits['ge']}" if "ge" in limits else "")
    if field.annotation is str:
        return "non-empty text" if limits.get("min_length") else "text"
    if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
        return f"a [{section}] table of " + ", ".join(field.annotation.model_fields)
    return str(getattr(field.annotation, "__name__", field.annotation))


def outside_warning(sc: Scenario, days: int) -> str | None:
    """One line naming the shocks a run of `days` days leaves out or cuts short, or None (a run may be
    shortened on purpose, so this is a warning, not an error)."""
    out = [s for s in sc.shocks if s.at > days]                         # never happen
    cut = [s for s in sc.shocks if s.at <= days < s.at + s.duration - 1]
    if not out and not cut:
        return None
    parts = []
    if out:
        names = ", ".join(f"{s.type_name} at day {s.at}" for s in out)
        latest = max(s.at for s in out)
        parts.append(f"{len(out)} of {len(sc.shocks)} shocks of {sc.name} start after the run's last day "
                     f"(day {days}) and do not happen: {names} (a run of {latest} days or more includes them)")
    if cut:
        names = ", ".join(f"{s.type_name} at day {s.at} for {s.duration} days (to day {s.at + s.duration - 1})"
                          for s in cut)
        parts.append(f"{len(cut)} of {len(sc.shocks)} shocks of {sc.name} last beyond the run's last day "
                     f"(day {days}) and are cut short: {names}")
    return "; ".join(parts)


def shipped_dir() -> Path:
    return DATA_DIR / "scenarios"


def list_scenarios() -> list[Scenario]:
    """The shipped scenarios, sorted by name."""
    return [load_scenario(p) for p in sorted(shipped_dir().glob("*.toml"))]


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A shipped scenario by name, or a user's scenario file by path. Errors name the file, the
    key and what is allowed."""
    text_path = Path(name_or_path)
    if text_path.suffix == ".toml" or text_path.exists():
        path = text_path
    else:
        path = shipped_dir() / f"{name_or_path}.toml"
        if not path.exists():
            names = sorted(p.stem for p in shipped_dir().glob("*.toml"))
            raise InputError(f"unknown scenario {str(name_or_path)!r}", file="scenario",
                             allowed=", ".join(names) + ", or a path to a .toml file")
    origin = str(path)
    raw = read_toml(path, "scenario file")

    shocks_raw = raw.pop("shocks", [])
    if not isinstance(shocks_raw, list):
        raise InputError("must be an array of tables ([[shocks]])", file=origin, key="shocks")
    shocks: list[Shock] = []
    for i, s in enumerate(shocks_raw):
        if not isinstance(s, dict) or "type" not in s:
            raise InputError("each shock needs a 'type'", file=origin, key=f"shocks[{i}]",
                             allowed=", ".join(sorted(SHOCK_TYPES)))
        kind = s.pop("type")
        cls = SHOCK_TYPES.get(kind)
        if cls is None:
            raise InputError(f"unknown shock type {kind!r}", file=origin, key=f"shocks[{i}].type",
                             allowed=", ".join(sorted(SHOCK_TYPES)))
        try:
            shocks.append(cls(**s))
        except ValidationError as e:
            err = e.errors()[0]
            raise InputError(f"{err['msg']} (got {err.get('input')!r})", file=origin,
                             key=f"shocks[{i}].{error_key(err['loc'])}",
                             allowed=f"fields of {kind}: " + ", ".join(cls.model_fields)) from None
    overrides = raw.get("overrides", {})
    if not isinstance(overrides, Mapping):
        raise InputError(f"must be a table of key paths, got {overrides!r}", file=origin, key="overrides",
                         allowed='[overrides] with lines such as "cta.aum" = 500')
    raw["overrides"] = flatten_overrides(overrides, origin=origin)
    if "path" in raw:                   # the file's own path is where it was read from
        raise InputError("not a scenario key", file=origin, key="path", allowed=TOP_LEVEL)
    try:
        sc = Scenario(**raw, shocks=[], path=origin)
    except ValidationError as e:
        # a misspelt key makes two errors (the unknown key, and the key it should have been missing):
        # the unknown key is the one to name
        errors = e.errors()
        err = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
        key = error_key(err["loc"])
        if err["type"] == "extra_forbidden":
            message, allowed = "not a scenario key", _allowed(key)
        elif err["type"] == "missing":
            message, allowed = "is missing", _allowed(key)        # never echo the whole table
        else:
            message, allowed = f"{err['msg']} (got {err.get('input')!r})", _allowed(key)
        raise InputError(message, file=origin, key=key, allowed=allowed) from None
    sc.shocks = shocks
    # validate overrides now, so a bad key fails before anything runs
    sc.params()
    return sc
