"""Reading and writing files, once for the whole package: TOML input with the bad-input contract
(`InputError` naming the file and what is wrong, `error_key` for a pydantic error's location),
nested tables flattened to dotted key paths, JSON output that never writes NaN, atomic writes,
the parquet options every table is written with, and the package's data folder."""

from __future__ import annotations

import json
import math
import os
import tomllib
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from .errors import InputError

DATA_DIR = Path(__file__).resolve().parent / "data"
PARQUET_OPTS = {"index": False, "compression": "zstd"}    # every table the package writes


def read_toml(path: str | Path, what: str = "file") -> dict[str, Any]:
    """Parse a TOML file; every way it can be unreadable is an `InputError` naming the file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=str(p)) from None
    except IsADirectoryError:
        raise InputError(f"is a folder, not a {what}", file=str(p)) from None
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", file=str(p), allowed=f"a TOML {what}") from None
    except OSError as e:
        raise InputError(f"cannot be read ({e.strerror})", file=str(p)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"malformed TOML: {e}", file=str(p)) from None


def error_key(loc: tuple) -> str:
    """A pydantic error location as the key path a user wrote (`("shocks", 0, "at")` → `shocks[0].at`)."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def flatten(tree: Mapping, prefix: str = "", *, is_leaf: Callable[[Mapping], bool] | None = None,
            origin: str | None = None) -> dict[str, Any]:
    """Nested tables → one level with dotted keys (`{"cta": {"aum": 1}}` → `{"cta.aum": 1}`).

    `is_leaf(table)` keeps a table whole (a sweep axis). With `origin`, a key path written twice
    (`"cta.aum" = 1` beside `[cta] aum = 2`) is an `InputError` naming it; without, the later wins."""
    out: dict[str, Any] = {}
    for k, v in tree.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, Mapping) and not (is_leaf is not None and is_leaf(v)):
            items = flatten(v, path, is_leaf=is_leaf, origin=origin).items()
        else:
            items = ((path, v),)
        for key, value in items:
            if origin is not None and key in out:
                raise InputError("the same key path is given twice", file=origin, key=key,
                                 allowed="each key path once")
            out[key] = value
    return out


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o) if math.isfinite(o) else None
    if isinstance(o, np.ndarray):
        return _clean(o.tolist())
    return str(o)


def _clean(o):
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {str(k): _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    return o


def dumps_json(obj, indent: int | None = 2) -> str:
    """JSON text with sorted keys; NaN and infinities become null; numpy scalars and arrays are
    written as numbers and lists."""
    return json.dumps(_clean(obj), indent=indent, sort_keys=True, default=_json_default, allow_nan=False)


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> None:
    """`write(tmp)` to a temporary sibling of `path`, flushed to disk, then renamed over `path`: a
    reader (or a process killed half-way) never sees a half-written file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
