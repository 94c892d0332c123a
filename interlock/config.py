"""Parameters: every number the model uses, loaded from the data files in `interlock/data/params/`.

A parameter is a TOML inline table with a `value` and its provenance::

    aum = { value = 400.0, unit = "USD bn", min = 0.0, range = [150.0, 800.0], uncertain = true,
            source = "AQR (2015) ...", date = "2015" }

`min`/`max` (or `choices`) are hard validity bounds, checked on every override; `range` is the
plausible range used by sweeps and stress tests; `uncertain = true` marks numbers the sources do
not pin down. Parameters are addressed by dotted key paths (`vol_target.aum`), the same paths that
`--set`, scenario `[overrides]` and sweep specs use.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterable, Mapping

from .errors import InputError
from .io import DATA_DIR, flatten, read_toml

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")       # a parameter whose default is a date takes dates
META_KEYS = {"value", "unit", "min", "max", "choices", "range", "uncertain", "source", "date", "note"}


@dataclass(frozen=True)
class ParamSpec:
    """Metadata of one parameter, as read from the defaults files."""

    path: str
    default: Any
    file: str
    unit: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple | None = None
    range: tuple | None = None
    uncertain: bool = False
    source: str = ""
    date: str = ""
    note: str = ""

    def allowed(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        kind = type(self.default).__name__
        if isinstance(self.default, list):
            kind = "list of numbers"
        lo = "-inf" if self.min is None else f"{self.min:g}"
        hi = "+inf" if self.max is None else f"{self.max:g}"
        if isinstance(self.default, bool):
            return "true or false"
        return f"{kind} in [{lo}, {hi}]"

    def check(self, value: Any, origin: str) -> Any:
        """Return `value` coerced to this parameter's type, or raise InputError."""
        d = self.default
        if isinstance(d, bool):
            if not isinstance(value, bool):
                raise InputError(f"expected true or false, got {value!r}", file=origin, key=self.path,
                                 allowed=self.allowed())
            return value
        if isinstance(d, str):
            if _ISO_DATE.fullmatch(d):
                return self._date(value, origin)
            if not isinstance(value, str):
                raise InputError(f"expected text, got {value!r}", file=origin, key=self.path,
                                 allowed=self.allowed())
            if self.choices is not None and value not in self.choices:
                raise InputError(f"{value!r} is not allowed", file=origin, key=self.path,
                                 allowed=self.allowed())
            return value
        if isinstance(d, list):
            if not isinstance(value, list) or len(value) == 0:
                raise InputError(f"expected a non-empty list of numbers, got {value!r}", file=origin,
                                 key=self.path, allowed=self.allowed())
            return [self._number(v, origin, float) for v in value]
        return self._number(value, origin, int if isinstance(d, int) else float)

    def _date(self, value: Any, origin: str) -> str:
        """A calendar date: an ISO date as text, or a TOML date (`2025-01-21` unquoted)."""
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                pass
        raise InputError(f"expected a calendar date, got {value!r}", file=origin, key=self.path,
                         allowed="an ISO date YYYY-MM-DD, e.g. 2025-01-21")

    def _number(self, value: Any, origin: str, kind: type) -> float | int:
        # text is never read as a number: `"126"` in a file or `--set k='"126"'` is refused
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            what = "text" if isinstance(value, str) else type(value).__name__
            raise InputError(f"expected a number, got {what} {value!r}", file=origin, key=self.path,
                             allowed=self.allowed())
        v = kind(value) if kind is float else value
        if kind is int and isinstance(v, float):
            if not v.is_integer():
                raise InputError(f"expected a whole number, got {value!r}", file=origin, key=self.path,
                                 allowed=self.allowed())
            v = int(v)
        if isinstance(v, float) and not math.isfinite(v):
            raise InputError(f"{value!r} is not a finite number", file=origin, key=self.path,
                             allowed=self.allowed())
        if (self.min is not None and v < self.min) or (self.max is not None and v > self.max):
            raise InputError(f"{value!r} is out of range", file=origin, key=self.path,
                             allowed=self.allowed())
        return v


def _walk(tree: Mapping, prefix: str, file: str, out: dict[str, ParamSpec]) -> None:
    for name, node in tree.items():
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(node, Mapping) and "value" in node:
            extra = set(node) - META_KEYS
            if extra:
                raise InputError(f"unknown metadata {sorted(extra)}", file=file, key=path,
                                 allowed=", ".join(sorted(META_KEYS)))
            rng = node.get("range")
            out[path] = ParamSpec(
                path=path, default=node["value"], file=file, unit=node.get("unit", ""),
                min=node.get("min"), max=node.get("max"),
                choices=tuple(node["choices"]) if "choices" in node else None,
                range=tuple(rng) if rng is not None else None,
                uncertain=bool(node.get("uncertain", False)), source=node.get("source", ""),
                date=str(node.get("date", "")), note=node.get("note", ""))
        elif isinstance(node, Mapping):
            _walk(node, path, file, out)
        else:
            raise InputError("a parameter must be a table with a 'value' and its source",
                             file=file, key=path)


def _load_specs() -> dict[str, ParamSpec]:
    specs: dict[str, ParamSpec] = {}
    folder = DATA_DIR / "params"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".toml"):
            continue
        tree = read_toml(entry, "parameters file")
        part: dict[str, ParamSpec] = {}
        _walk(tree, "", f"interlock/data/params/{entry.name}", part)
        clash = set(part) & set(specs)
        if clash:
            raise InputError(f"parameters defined twice: {sorted(clash)}", file=entry.name)
        specs.update(part)
    return specs


_SPECS: dict[str, ParamSpec] | None = None


def param_specs() -> dict[str, ParamSpec]:
    """All parameter specs (loaded once per process)."""
    global _SPECS
    if _SPECS is None:
        _SPECS = _load_specs()
    return _SPECS


def parse_value(text: str) -> Any:
    """Parse a `--set key=value` right-hand side as TOML (numbers, booleans, lists, strings). A
    bare word is text (checked against the parameter's choices); a date stays its text."""
    try:
        v = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text  # a bare word: treated as a string, checked against choices
    if isinstance(v, (dt.date, dt.time)):
        return text
    return v


@dataclass
class Params:
    """A validated set of parameter values (defaults plus overrides)."""

    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def defaults(cls) -> "Params":
        return cls({k: s.default for k, s in param_specs().items()})

    def __getitem__(self, path: str) -> Any:
        return self.values[path]

    def get(self, path: str, default: Any = None) -> Any:
        return self.values.get(path, default)

    def section(self, prefix: str) -> dict[str, Any]:
        """Values under `prefix.` keyed by the remaining path (e.g. section('cta')['aum'])."""
        p = prefix + "."
        return {k[len(p):]: v for k, v in self.values.items() if k.startswith(p)}

    def names_under(self, prefix: str) -> list[str]:
        """Distinct next-level names below `prefix` (e.g. asset names below 'assets')."""
        p = prefix + "."
        seen: dict[str, None] = {}
        for k in self.values:
            if k.startswith(p):
                seen[k[len(p):].split(".")[0]] = None
        return list(seen)

    def with_overrides(self, overrides: Mapping[str, Any], origin: str) -> "Params":
        """A copy with `overrides` applied; unknown keys and bad values raise InputError."""
        specs = param_specs()
        new = dict(self.values)
        for key, value in overrides.items():
            refuse_run_length(key, origin)
            spec = specs.get(key)
            if spec is None:
                close = difflib.get_close_matches(key, list(specs), n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise InputError(f"unknown parameter{hint}", file=origin, key=key,
                                 allowed="`interlock params` lists every parameter")
            new[key] = spec.check(value, origin)
        return Params(new)

    def check_min_max(self, origin_of: "str | Callable[[tuple[str, str]], str]") -> None:
        """Refuse a pair `X_min`/`X_max` of one section whose min is above its max (an agent draws
        uniformly between them). `origin_of` names where the values were written: one origin, or a
        function of the pair's keys (the layer that set them)."""
        check_min_max(self.values, origin_of)

    def diff(self) -> dict[str, Any]:
        """Values that differ from the defaults (what a run's summary records as overrides)."""
        specs = param_specs()
        return {k: v for k, v in self.values.items() if specs[k].default != v}


RUN_LENGTH = "run.days"        # the default of a scenario's [run] days, not an override


def refuse_run_length(key: str, origin: str) -> None:
    """A run's length is set where it is run (--days, a scenario's [run] days, a sweep spec's or a
    narrative's days), never by overriding `run.days`: that parameter is only the default of a
    scenario's [run] days, so an override of it would be ignored."""
    if key == RUN_LENGTH:
        raise InputError("the run's length is not a parameter override", file=origin, key=key,
                         allowed="--days N on the command line, [run] days in a scenario file, "
                                 "days in a sweep spec or narrative")


def min_max_pairs(keys: Iterable[str]) -> list[tuple[str, str]]:
    """The pairs (`section.X_min`, `section.X_max`) among `keys`."""
    keys = set(keys)
    return sorted((k, k[:-4] + "_max") for k in keys if k.endswith("_min") and k[:-4] + "_max" in keys)


def check_min_max(values: Mapping[str, Any], origin_of: "str | Callable[[tuple[str, str]], str]",
                  pairs: Iterable[tuple[str, str]] | None = None) -> None:
    """InputError naming both keys and values if a pair `X_min`/`X_max` (of `pairs`, default every
    pair in `values`) has min > max."""
    for lo_key, hi_key in (min_max_pairs(values) if pairs is None else pairs):
        lo, hi = values[lo_key], values[hi_key]
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
            origin = origin_of if isinstance(origin_of, str) else origin_of((lo_key, hi_key))
            raise InputError(f"{lo!r} is above {hi_key} = {hi!r}", file=origin, key=lo_key,
                             allowed=f"{lo_key} ≤ {hi_key}")


def flatten_overrides(tree: Mapping, origin: str | None = None) -> dict[str, Any]:
    """Flatten a nested TOML table of overrides into dotted key paths.

    Both `[overrides] "cta.aum" = 1` and `[overrides.cta] aum = 1` are accepted; with `origin`
    (the file), giving one key path both ways is an error."""
    return flatten(tree, origin=origin)


def parse_set_options(items: Iterable[str]) -> dict[str, Any]:
    """Parse CLI `--set key.path=value` options."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise InputError(f"expected key.path=value, got {item!r}", file="--set")
        key, text = item.split("=", 1)
        key = key.strip()
        if not key:
            raise InputError(f"no key path before '=' in {item!r}", file="--set", allowed="key.path=value")
        if key in out:
            raise InputError("the same key path is given twice", file="--set", key=key,
                             allowed="each key path once")
        out[key] = parse_value(text.strip())
    return out


def load_override_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML file of overrides (as written by `interlock calibrate`)."""
    tree = read_toml(path, "file of overrides")
    if "overrides" in tree:
        extra = sorted(set(tree) - {"overrides"})
        if extra:
            raise InputError(f"keys beside [overrides]: {', '.join(extra)}", file=str(path), key=extra[0],
                             allowed="one [overrides] table of key paths, or key paths alone")
        tree = tree["overrides"]
    if not isinstance(tree, Mapping):
        raise InputError("must be a table of key paths", file=str(path), key="overrides")
    return flatten_overrides(tree, origin=str(path))


class ParamView:
    """A typed, read-only view of one params section, declared where an agent kind is defined so a
    reader sees what the agent reads without opening the TOML::

        @dataclass(frozen=True)
        class DealerParams(ParamView, section="dealer"):
            gamma_calm: float          # USD bn traded per 1% S&P move in calm markets
            ...

        q = DealerParams.from_params(model.params)

    Every field is a key directly under the section, or a sub-table read as a dict (e.g.
    `buyback.earnings_day` → `{"NVDA": 1, …}`); `enabled` (read by the model) and the sub-tables
    named in `nested` are the only keys of the section a view may leave out. A `keyed` view reads one
    of several like tables (`assets.NVDA`, `assets.MSFT`, …): `from_params(p, "NVDA")`.
    `from_params` refuses a field the params files do not define; `undeclared(params)` lists keys of
    the section the view does not declare (a unit test keeps it empty)."""

    section: ClassVar[str] = ""
    nested: ClassVar[tuple[str, ...]] = ()
    keyed: ClassVar[bool] = False

    def __init_subclass__(cls, section: str = "", nested: tuple[str, ...] = (), keyed: bool = False,
                          **kw):
        super().__init_subclass__(**kw)
        if section:
            cls.section = section
        if nested:
            cls.nested = nested
        if keyed:
            cls.keyed = True

    @classmethod
    def _prefix(cls, key: str | None) -> str:
        if cls.keyed != bool(key):
            raise TypeError(f"{cls.__name__} reads one table of [{cls.section}.*]: name it" if cls.keyed
                            else f"{cls.__name__} reads [{cls.section}] itself, not a table below it")
        return f"{cls.section}.{key}" if cls.keyed else cls.section

    @classmethod
    def from_params(cls, p: "Params", key: str | None = None):
        prefix = cls._prefix(key)
        values = p.section(prefix)
        out: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in values:
                out[f.name] = values[f.name]
                continue
            table = p.section(f"{prefix}.{f.name}")
            if not table:
                raise KeyError(f"{cls.__name__}: no parameter {prefix}.{f.name} in the params files")
            out[f.name] = table
        return cls(**out)

    @classmethod
    def undeclared(cls, p: "Params") -> list[str]:
        declared = {f.name for f in fields(cls)} | {"enabled"} | set(cls.nested)
        prefixes = ([f"{cls.section}.{k}" for k in p.names_under(cls.section)] if cls.keyed
                    else [cls.section])
        out = []
        for prefix in prefixes:
            for key in p.section(prefix):
                if key.split(".")[0] not in declared:
                    out.append(f"{prefix}.{key}")
        return out


@dataclass(frozen=True)
class RunParams(ParamView, section="run"):
    """The run's calendar and clearing limits (interlock/data/params/market.toml, [run]); read by
    every layer, so declared here."""

    days: int                          # trading days simulated by default
    start_date: str                    # calendar date of day 0 (ISO)
    trading_days_per_year: int         # days: annualises daily rates and variances
    days_per_quarter: int              # trading days: buyback and firm quarters
    days_per_month: int                # trading days: converts $/month paces to $/day
    max_clearing_rounds: int           # rounds of forced orders per day at most
    spx_level: float                   # index points of the S&P 500 at day 0
