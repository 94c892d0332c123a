"""Firm data shipped with the package (`interlock/data/interlock/firms.csv`): one row per firm of
the capital interlock with its starting figures and sources."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..io import DATA_DIR

FIRM_KINDS = ("hyperscaler", "chip_vendor", "ai_lab", "neocloud", "other_suppliers")
NUMERIC = ["market_cap_bn", "valuation_bn", "revenue_bn", "ai_revenue_share", "capex_bn",
           "capex_guidance_bn", "operating_cash_flow_bn", "cash_bn", "debt_bn", "buyback_bn",
           "compute_capacity_gw"]


def default_firms_path() -> Path:
    return DATA_DIR / "interlock" / "firms.csv"


@lru_cache(maxsize=8)
def _load(path: str) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype={"ticker": str})
    except FileNotFoundError:
        raise InputError("firms file not found", file=path) from None
    missing = {"firm", "kind", "listed", "ticker", "source"} - set(df.columns)
    if missing:
        raise InputError(f"missing columns {sorted(missing)}", file=path)
    for i, row in df.iterrows():
        if row["kind"] not in FIRM_KINDS:
            raise InputError(f"row {i + 2} ({row['firm']}): unknown kind {row['kind']!r}", file=path,
                             key="kind", allowed=", ".join(FIRM_KINDS))
        if not isinstance(row["source"], str) or not row["source"].strip():
            raise InputError(f"row {i + 2} ({row['firm']}): every firm needs a source", file=path,
                             key="source")
    df["listed"] = df["listed"].astype(str).str.lower().isin(["true", "1", "yes"])
    df["ticker"] = df["ticker"].fillna("")
    for c in NUMERIC:
        if c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="coerce")
    for c in ("operating_cash_flow_bn", "capex_bn", "buyback_bn"):
        df[c] = df[c].fillna(0.0)
    return df


def load_firms(path: str | Path | None = None) -> pd.DataFrame:
    """The firms table (a copy), validated."""
    return _load(str(path or default_firms_path())).copy()


def snake(name: str) -> str:
    """A firm name as a lowercase snake-case column fragment ('CoreWeave' → 'coreweave')."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")
