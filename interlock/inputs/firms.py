"""The firms table of the capital interlock (a snapshot's `firms.csv`, or a user's own file): one
row per firm with its figures as known on the snapshot's date and their sources.

Columns: `firm, kind, listed, ticker, source` (required), the figures (USD bn; `NUMERIC`) and, in a
snapshot, the as-of columns (docs/interlock.md, "Snapshots"): `status` (listed, private,
aggregate — or an inert node: non_profit, not_founded, pre_ai, not_separate), `revenue_runrate_bn`
(latest quarter × 4), `revenue_guidance_bn` (the next quarter's revenue guide × 4), `capex_runrate_bn`,
`capex_guidance_period`, `capex_guidance_current_fy_bn`, `dividend_bn`, `fiscal_year_end`,
`last_report_period`, `field_dates`, `flags`, `notes`.

Where a file has a `status` column, a firm that is active on the date must carry what the model
cannot do without (`required_fields`): a listed firm its market cap, a private one its last round,
every active firm its revenue, a capex spender its capex. A missing one is an `InputError` naming
the file, the row and the field. Inert firms hold nothing: no revenue, cash, debt or capex.

The model starts from current run-rates and forward guides (`starting_figures`): revenue = the
next-quarter guide × 4 where the firm gave one, else the latest quarter × 4, else trailing twelve
months; capex = the latest quarter × 4, else trailing twelve months."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io import DATA_DIR
from .tables import read_text_table, stamp

FIRM_KINDS = ("hyperscaler", "chip_vendor", "ai_lab", "neocloud", "other_suppliers")
SPENDER_KINDS = ("hyperscaler", "neocloud")
NUMERIC = ["market_cap_bn", "valuation_bn", "revenue_bn", "ai_revenue_share", "capex_bn",
           "capex_guidance_bn", "operating_cash_flow_bn", "cash_bn", "debt_bn", "buyback_bn",
           "compute_capacity_gw", "revenue_runrate_bn", "revenue_guidance_bn", "capex_runrate_bn",
           "capex_guidance_current_fy_bn", "dividend_bn", "compute_sales_share", "compute_buyer_share",
           "compute_forward_growth"]
# the ranges of the number columns (the others, operating_cash_flow_bn and compute_forward_growth,
# may be negative); every number is finite
POSITIVE = ("market_cap_bn", "valuation_bn")                   # a firm's value
NONNEGATIVE = {c: ("GW" if c.endswith("_gw") else "USD bn") for c in NUMERIC if c.endswith(("_bn", "_gw"))
               and c not in POSITIVE and c != "operating_cash_flow_bn"}
SHARES = ("ai_revenue_share", "compute_sales_share", "compute_buyer_share")
LISTED_WORDS = ("true", "1", "yes", "false", "0", "no")          # the `listed` column, any case
ACTIVE = ("listed", "private", "aggregate")
INERT = ("non_profit", "not_founded", "pre_ai", "not_separate")
STATUSES = ACTIVE + INERT
# the default firms file: the snapshot of the default start date (interlock/data/snapshots/)
DEFAULT_SNAPSHOT = "2025-11-21"


def default_firms_path() -> Path:
    return DATA_DIR / "snapshots" / DEFAULT_SNAPSHOT / "firms.csv"


def status_keyword(text) -> str:
    """The status keyword of a `status` cell ('listed (IPO 2025-03-28)' → 'listed')."""
    m = re.match(r"\s*([a-z_]+)", str(text or "").lower())
    return m.group(1) if m else ""


def required_fields(status: str, kind: str) -> list[str]:
    """What a firm must carry on the date: nothing if inert; revenue if active; its market cap if
    listed, its last round if private; its capex if it spends (hyperscalers, neoclouds)."""
    if status not in ACTIVE:
        return []
    out = ["revenue_bn"]
    if status == "listed":
        out.append("market_cap_bn")
    if status == "private":
        out.append("valuation_bn")
    if kind in SPENDER_KINDS:
        out.append("capex_bn")
    return out


@lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    """The validated table of the file at `path` as it was at (`mtime_ns`, `size`): the cache key,
    so that a file edited within one process is read again."""
    df = read_text_table(path, "firms file")
    missing = {"firm", "kind", "listed", "ticker", "source"} - set(df.columns)
    if missing:
        raise InputError(f"missing columns {sorted(missing)}", file=path)
    if df.empty:
        raise InputError("no firms in the file", file=path, allowed="one row per firm")
    for c in ("firm", "kind", "listed", "ticker", "status"):
        if c in df.columns:
            df[c] = df[c].str.strip()
    for c in NUMERIC:
        if c in df.columns:
            df[c] = [_number(path, i, df["firm"].iloc[i], c, text) for i, text in enumerate(df[c])]
    for c in ("firm", "ticker"):
        named = df[c][df[c] != ""]
        twice = named[named.duplicated()]
        if not twice.empty:
            i = int(twice.index[0])
            raise InputError(f"row {i + 2}: {c} {twice.iloc[0]!r} is listed twice", file=path, key=c,
                             allowed=f"one row per {c}")
    has_status = "status" in df.columns
    df["status"] = df["status"].map(status_keyword) if has_status else "listed"
    flags = df["flags"] if "flags" in df.columns else pd.Series("", index=df.index)
    for i, row in df.iterrows():
        where = f"row {i + 2} ({row['firm']})"
        if not row["firm"]:
            raise InputError(f"row {i + 2}: every firm needs a name", file=path, key="firm")
        if row["listed"].lower() not in LISTED_WORDS:
            raise InputError(f"{where}: listed {row['listed']!r} is not true or false", file=path, key="listed",
                             allowed=", ".join(LISTED_WORDS))
        if row["kind"] not in FIRM_KINDS:
            raise InputError(f"{where}: unknown kind {row['kind']!r}", file=path, key="kind",
                             allowed=", ".join(FIRM_KINDS))
        if not row["source"].strip():
            raise InputError(f"{where}: every firm needs a source", file=path, key="source")
        if not has_status:
            continue
        if row["status"] not in STATUSES:
            raise InputError(f"{where}: unknown status {row['status']!r}", file=path, key="status",
                             allowed=", ".join(STATUSES))
        for c in required_fields(row["status"], row["kind"]):
            if c not in df.columns or pd.isna(row[c]):
                note = f"; flags: {flags[i]}" if flags[i] else ""
                raise InputError(f"{where}: missing {c} (status {row['status']}{note})", file=path, key=c,
                                 allowed="a number: required for an active firm of this kind")
    df["listed"] = df["listed"].str.lower().isin(LISTED_WORDS[:3])
    for c in NUMERIC:
        if c not in df.columns:
            df[c] = np.nan
    inert = ~df["status"].isin(ACTIVE)
    df.loc[inert, "listed"] = False
    df.loc[inert, [c for c in NUMERIC if c != "ai_revenue_share"]] = np.nan
    for c in ("operating_cash_flow_bn", "capex_bn", "buyback_bn", "dividend_bn"):
        df[c] = df[c].fillna(0.0)
    df.loc[inert, ["revenue_bn", "cash_bn", "debt_bn"]] = 0.0
    return starting_figures(df)


def _number(path: str, i: int, firm: str, col: str, text: str) -> float:
    """A cell of a number column: empty is missing (NaN); anything else must be a finite number in
    the column's range (`NONNEGATIVE`, `POSITIVE`, `SHARES`)."""
    text = text.strip()
    if not text:
        return np.nan
    where = f"row {i + 2} ({firm})"
    try:
        v = float(text)
    except ValueError:
        raise InputError(f"{where}: {col} {text!r} is not a number", file=path, key=col,
                         allowed="a number or empty") from None
    if not np.isfinite(v):
        raise InputError(f"{where}: {col} {text!r} is not finite", file=path, key=col,
                         allowed="a finite number or empty")
    if col in POSITIVE and v <= 0:
        raise InputError(f"{where}: {col} {v:g} is not positive", file=path, key=col, allowed="USD bn > 0 or empty")
    if col in NONNEGATIVE and v < 0:
        raise InputError(f"{where}: {col} {v:g} is negative", file=path, key=col, allowed=f"{NONNEGATIVE[col]} ≥ 0 or empty")
    if col in SHARES and not 0.0 <= v <= 1.0:
        raise InputError(f"{where}: {col} {v:g} is not a share", file=path, key=col, allowed="0–1 or empty")
    return v


def starting_figures(df: pd.DataFrame) -> pd.DataFrame:
    """Adds `revenue_start_bn` (guide × 4, else latest quarter × 4, else TTM), its basis, and
    `capex_start_bn` (latest quarter × 4, else TTM): the figures the model starts from."""
    out = df.copy()
    rev = out["revenue_bn"]
    rr = out["revenue_runrate_bn"]
    guide = out["revenue_guidance_bn"]
    out["revenue_start_bn"] = guide.where(guide.notna(), rr.where(rr.notna(), rev))
    out["revenue_start_basis"] = np.where(guide.notna(), "guide", np.where(rr.notna(), "run-rate", "TTM"))
    cr = out["capex_runrate_bn"]
    out["capex_start_bn"] = cr.where(cr.notna(), out["capex_bn"])
    return out


def load_firms(path: str | Path | None = None) -> pd.DataFrame:
    """The firms table (a copy), validated. Read again when the file changed (its modification
    time or size), else from the cache."""
    path = str(path or default_firms_path())
    return _load(path, *stamp(path)).copy()


def snake(name: str) -> str:
    """A firm name as a lowercase snake-case column fragment ('CoreWeave' → 'coreweave')."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")
