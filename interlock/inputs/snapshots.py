"""Snapshots: the interlock and its markets as known at the close of a date (issue #14).

A snapshot is a folder `YYYY-MM-DD/` holding `firms.csv` (`inputs.firms`), `deals.csv`
(`inputs.deals`) and `market.toml`; the shipped ones are in `interlock/data/snapshots/`, a user's
own in any folder of such folders (`interlock.snapshot.dir`). A run's start date
(`run.start_date`, `--as-of`) selects the latest snapshot dated on or before it, at most
`interlock.snapshot.max_age_days` older; a date without one is an `InputError` that lists the
snapshots there are. docs/interlock.md ("Snapshots") is the user's guide to the format.

`market.toml` holds one inline table per figure, `key = { value, unit, source, observed,
published?, quality }` (`quality`: reported, derived, estimate, recalled, postdated, missing; an
empty `value` is missing), in sections [snapshot] (date), [market], [fed], [crypto], [funds],
[buyback] and [assets] (`TICKER = { cap, source, observed }` for every listed firm). What the model
reads, and the parameter each becomes (`MARKET_FIELDS`, `Snapshot.overrides`), is required; a
missing one is an `InputError` naming the file and the field.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..io import DATA_DIR, read_toml
from .deals import read_deals
from .firms import load_firms
from .tables import stamp

FILES = ("firms.csv", "deals.csv", "market.toml")
QUALITIES = ("reported", "derived", "estimate", "recalled", "postdated", "missing")
# snapshot field → parameter path (a value the model reads; required)
MARKET_FIELDS = {
    "market.spx_level": "run.spx_level",
    "market.rest_cap": "assets.REST.cap",
    "market.ust10_yield": "market.ust10_yield",
    "crypto.btc_price": "market.btc_price",
    "crypto.btc_cap": "market.btc_cap",
    "crypto.btc_etf_aum": "crypto_etf.aum",
    "fed.reserves": "fed.reserves",
    "fed.balance_sheet_pace": "fed.balance_sheet_pace",
    "fed.cut_prob": "fed.cut_prob",                    # the next meeting's priced odds (fed.start_stance)
    "fed.hike_prob": "fed.hike_prob",
    "fed.last_move_direction": "fed.last_move_direction",
    "buyback.sp500_annual": "buyback.sp500_annual",
}
# required fields that become a parameter through arithmetic (`Snapshot.overrides`)
DERIVED_FIELDS = ("fed.policy_rate_lower", "fed.policy_rate_upper")
# optional: without them the parameter keeps its default (and the snapshot says so). The engine's
# starting S&P vol is a realised vol (its EWMA's starting variance): a snapshot gives it as
# market.realised_vol; the VIX it records is implied vol (realised × the variance risk premium +
# hedging demand the engine starts without), so it is kept for reference, not mapped
OPTIONAL_FIELDS = {"funds.vol_control_aum": "vol_target.aum", "funds.cta_aum": "cta.aum",
                   "market.realised_vol": "vol.initial_annual_vol"}
REFERENCE_FIELDS = ("market.vix",)          # required in the file, read by no parameter
NOT_LISTED_CAP_BN = 0.001    # an asset whose firm is not listed on the date: the smallest cap allowed

log = logging.getLogger(__name__)


def shipped_dir() -> Path:
    return DATA_DIR / "snapshots"


def snapshots_dir(folder: str = "") -> Path:
    """The folder of snapshot folders: the shipped one, or a user's (`interlock.snapshot.dir`)."""
    return Path(folder) if folder else shipped_dir()


def available(folder: str = "") -> list[str]:
    """The dates of the snapshots in `folder` (sorted)."""
    root = snapshots_dir(folder)
    if not root.is_dir():
        raise InputError("not a folder of snapshots", file=str(root), key="interlock.snapshot.dir",
                         allowed="a folder holding YYYY-MM-DD/ folders")
    out = []
    for p in root.iterdir():
        try:
            ok = p.is_dir() and pd.Timestamp(p.name).strftime("%Y-%m-%d") == p.name
        except ValueError:
            ok = False
        if ok:
            out.append(p.name)
    return sorted(out)


def parse_date(text: Any, origin: str = "run.start_date") -> pd.Timestamp:
    """An ISO date (YYYY-MM-DD; a Timestamp passes), or an InputError naming `run.start_date`."""
    if isinstance(text, pd.Timestamp):
        return text.normalize()
    try:
        d = pd.Timestamp(str(text).strip()) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(text).strip()) else pd.NaT
    except ValueError:
        d = pd.NaT
    if pd.isna(d):
        raise InputError(f"bad date {text!r}", file=origin, key="run.start_date", allowed="YYYY-MM-DD")
    return d.normalize()


def select(date: Any, folder: str = "", max_age_days: int = 7) -> "Snapshot":
    """The snapshot for a run starting on `date`: the latest dated on or before it, at most
    `max_age_days` calendar days older. None there → `InputError` listing the snapshots."""
    d = parse_date(date)
    dates = available(folder)
    before = [x for x in dates if pd.Timestamp(x) <= d]
    if not before or (d - pd.Timestamp(before[-1])).days > max_age_days:
        where = str(snapshots_dir(folder))
        raise InputError(f"no snapshot on {d.date()} or in the {max_age_days} days before", file=where,
                         key="run.start_date",
                         allowed=("a start date on or up to interlock.snapshot.max_age_days after a snapshot: "
                                  + ", ".join(dates) + " (docs/interlock.md: how to add a date)"))
    return load_snapshot(snapshots_dir(folder) / before[-1])


@dataclass(frozen=True)
class Snapshot:
    """One validated snapshot: its date, folder, the market file's entries (dotted key → table) and
    the listed firms' tickers."""

    date: pd.Timestamp
    folder: Path
    market: dict[str, dict] = field(repr=False)
    listed: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()       # what the loader wants the user to know (defaults kept, postdated values)

    @property
    def firms_file(self) -> Path:
        return self.folder / "firms.csv"

    @property
    def deals_file(self) -> Path:
        return self.folder / "deals.csv"

    def value(self, key: str) -> float:
        return float(self.market[key]["value"])

    def overrides(self, tickers: list[str]) -> dict[str, Any]:
        """Parameter values of this date: the mapped fields (`MARKET_FIELDS`, the optional ones it
        has), the policy rate (midpoint of the target range) and every listed firm's cap
        (`tickers`: the market's equities; one whose firm is not listed on the date gets the
        smallest cap allowed)."""
        out: dict[str, Any] = {param: self.value(k) for k, param in MARKET_FIELDS.items()}
        out.update({param: self.value(k) for k, param in OPTIONAL_FIELDS.items() if _present(self.market.get(k))})
        out["fed.policy_rate"] = 0.5 * (self.value("fed.policy_rate_lower") + self.value("fed.policy_rate_upper"))
        for t in tickers:
            if t == "REST":
                continue
            cap = self.market.get(f"assets.{t}", {}).get("cap")
            out[f"assets.{t}.cap"] = float(cap) if t in self.listed else NOT_LISTED_CAP_BN
        return out


def _present(entry: dict | None) -> bool:
    if not isinstance(entry, dict):
        return False
    v = entry.get("value", entry.get("cap"))
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def load_snapshot(folder: str | Path) -> Snapshot:
    """Read and validate a snapshot folder: its three files exist, the firms and deals files load
    (no deal announced after the date), every field the model reads is there. Read again when one
    of its files changed (modification time or size), else from the cache."""
    folder = Path(folder)
    return _load_snapshot(str(folder), tuple(stamp(folder / name) for name in FILES))


@lru_cache(maxsize=16)
def _load_snapshot(folder_text: str, stamps: tuple[tuple[int, int], ...]) -> Snapshot:
    """`load_snapshot` of the folder whose files had these (mtime_ns, size) stamps: the cache key."""
    folder = Path(folder_text)
    for name in FILES:
        if not (folder / name).is_file():
            raise InputError("snapshot file not found", file=str(folder / name),
                             allowed="a snapshot folder holds " + ", ".join(FILES))
    path = str(folder / "market.toml")
    raw = read_toml(folder / "market.toml", "snapshot market file")
    date_text = raw.get("snapshot", {}).get("date", "")
    try:
        date = pd.Timestamp(str(date_text))
    except ValueError:
        date = pd.NaT
    if pd.isna(date) or date.strftime("%Y-%m-%d") != folder.name:
        raise InputError(f"[snapshot] date {date_text!r} is not the folder's date {folder.name}", file=path,
                         key="snapshot.date", allowed=folder.name)
    market: dict[str, dict] = {}
    for section, table in raw.items():
        if section == "snapshot" or not isinstance(table, dict):
            continue
        for key, entry in table.items():
            if isinstance(entry, dict):
                market[f"{section}.{key}"] = entry
                q = entry.get("quality")
                if q is not None and q not in QUALITIES:
                    raise InputError(f"unknown quality {q!r}", file=path, key=f"{section}.{key}.quality",
                                     allowed=", ".join(QUALITIES))
    for key in list(MARKET_FIELDS) + list(DERIVED_FIELDS) + list(REFERENCE_FIELDS):
        if not _present(market.get(key)):
            q = (market.get(key) or {}).get("quality", "")
            raise InputError("missing value" + (f" (quality {q})" if q else ""), file=path, key=key,
                             allowed="a number: the model reads this field")
    firms = load_firms(folder / "firms.csv")
    read_deals(folder / "deals.csv", tuple(firms["firm"]))      # validates the file
    deals = read_deals(folder / "deals.csv", tuple(firms["firm"]), as_of=date)
    late = set(read_deals(folder / "deals.csv", tuple(firms["firm"]))["deal_id"]) - set(deals["deal_id"])
    if late:
        raise InputError(f"deals announced after the snapshot's date: {sorted(late)}", file=str(folder / "deals.csv"),
                         key="announced", allowed=f"dates on or before {folder.name}")
    listed = tuple(t for t, lst in zip(firms["ticker"], firms["listed"]) if lst and t)
    for t in listed:
        if not _present(market.get(f"assets.{t}")):
            raise InputError("missing cap of a listed firm", file=path, key=f"assets.{t}.cap",
                             allowed="USD bn: every firm listed on the date has its cap in [assets]")
        cap = float(market[f"assets.{t}"]["cap"])
        row = firms[firms["ticker"] == t].iloc[0]
        if not math.isclose(cap, float(row["market_cap_bn"]), rel_tol=1e-9):
            raise InputError(f"cap {cap:g} differs from firms.csv's market_cap_bn {row['market_cap_bn']:g}",
                             file=path, key=f"assets.{t}.cap", allowed="the same number in both files")
    notes = [f"{k}: not in the snapshot, the parameter's default is kept" for k in OPTIONAL_FIELDS
             if not _present(market.get(k))]
    notes += [f"{k}: published after the snapshot's date (postdated)" for k, e in market.items()
              if e.get("quality") == "postdated"]
    for note in notes:                                   # once per snapshot and process (cached)
        log.info("snapshot %s: %s", folder.name, note)
    return Snapshot(date=date, folder=folder, market=market, listed=listed, notes=tuple(notes))


def for_params(p) -> Snapshot:
    """The snapshot a parameter set's start date selects (`run.start_date`, `interlock.snapshot.*`)."""
    return select(p["run.start_date"], p["interlock.snapshot.dir"], int(p["interlock.snapshot.max_age_days"]))


def data_files(p) -> tuple[Path, Path]:
    """(firms file, deals file) of a run: the user's own files where given
    (`interlock.firms_file`, `interlock.deals_file`), else the selected snapshot's."""
    firms, deals = p["interlock.firms_file"], p["interlock.deals_file"]
    if firms and deals:
        return Path(firms), Path(deals)
    snap = for_params(p)
    return (Path(firms) if firms else snap.firms_file), (Path(deals) if deals else snap.deals_file)


def firms_path(p) -> Path:
    """The firms file of a run (`data_files`): what every reader of the firms table should load."""
    return data_files(p)[0]
