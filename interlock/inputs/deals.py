"""The deals file of the capital interlock (a snapshot's `deals.csv`, or a user's own file): one row
per deal, validated row by row.

Columns: `deal_id, source_party, target_party, type, amount_bn, start, duration_years` (required),
`stake_pct, description, source, source_date, notes`, optionally `end`, `schedule` (uniform, ramp,
run_rate), `settlement` (cash, shares) and the as-of columns (docs/interlock.md, "Snapshots"):

    announced               date the deal first became public: it exists in a run from that date on
    status                  signed, framework, letter_of_intent, rumoured, run_rate
    conversion_probability  0–1: the share of the amount the model books (a letter of intent is not
                            a purchase); 1 when the column is absent
    legal_borrower          financing booked off the node's balance sheet (an SPV or a project
                            company borrows; the node is the tenant or obligor the lenders are
                            exposed to): no cash and no debt reach the node

Loading checks every row and raises `InputError` naming the file and the row: unknown party,
unknown type, negative, missing or non-finite amount, a bad date, an end before the start or more
than `MAX_YEARS` after it, an unknown status, a probability outside 0–1; and the file: empty,
unreadable, no deals, or no deal with an amount above zero.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .tables import read_text_table, stamp

DEAL_TYPES = ("supply", "equity", "financing")
SCHEDULES = ("uniform", "ramp", "run_rate")
SETTLEMENTS = ("cash", "shares")
STATUSES = ("signed", "framework", "letter_of_intent", "rumoured", "run_rate")
REQUIRED = ("deal_id", "source_party", "target_party", "type", "amount_bn", "start", "duration_years")
DAYS_PER_CALENDAR_YEAR = 365.25                         # deal dates → years
# the longest deal the loader accepts (years): a bound on the input, not a model parameter — the
# longest common contract term is a 99-year lease; the shipped deals run 0–24 years
MAX_YEARS = 100.0


def _ids(text: str) -> set[str]:
    return {t.strip() for t in str(text or "").split(",") if t.strip()}


def _fail(path: str, line: int, row, message: str, key: str | None = None, allowed: str | None = None):
    deal = row.get("deal_id") if hasattr(row, "get") else None
    where = f"row {line}" + (f" ({deal})" if isinstance(deal, str) and deal else "")
    raise InputError(f"{where}: {message}", file=path, key=key, allowed=allowed)


def read_deals(path: str | Path, parties: tuple[str, ...], *, ramped: str = "", share_settled: str = "",
               as_of: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """The validated deals table (a copy). Adds `end`, `schedule`, `settlement` (from the file's own
    columns, else from the `ramped` / `share_settled` deal-id lists), `announced` (NaT without the
    column), `status` ('signed' without it), `conversion_probability` (1 without it) and
    `legal_borrower`. With `as_of`, only the deals announced on or before that date are kept (a
    file without an `announced` column keeps every deal)."""
    df = _load(str(path), *stamp(path), tuple(parties), ramped, share_settled).copy()
    if as_of is not None:
        df = df[~(df["announced"] > pd.Timestamp(as_of))].reset_index(drop=True)
    return df


@lru_cache(maxsize=32)
def _load(path: str, mtime_ns: int, size: int, parties: tuple[str, ...], ramped: str,
          share_settled: str) -> pd.DataFrame:
    """The validated table of the file at `path` as it was at (`mtime_ns`, `size`): the cache key,
    so that a file edited within one process is read again."""
    df = read_text_table(path, "deals file")
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputError(f"missing columns {missing}", file=path, allowed=", ".join(REQUIRED))
    known = set(parties)
    ramp_ids, share_ids = _ids(ramped), _ids(share_settled)
    rows = []
    seen: set[str] = set()
    for i, row in df.iterrows():
        line = i + 2                                       # 1-based, after the header line
        deal_id = row["deal_id"].strip()
        if not deal_id:
            _fail(path, line, row, "every deal needs a deal_id", key="deal_id")
        if deal_id in seen:
            _fail(path, line, row, f"duplicate deal_id {deal_id!r}", key="deal_id")
        seen.add(deal_id)
        for col in ("source_party", "target_party"):
            if row[col].strip() not in known:
                _fail(path, line, row, f"unknown party {row[col]!r}", key=col, allowed=", ".join(parties))
        if row["source_party"].strip() == row["target_party"].strip():
            _fail(path, line, row, "a deal needs two different parties", key="target_party")
        kind = row["type"].strip()
        if kind not in DEAL_TYPES:
            _fail(path, line, row, f"unknown type {kind!r}", key="type", allowed=", ".join(DEAL_TYPES))
        amount = _number(path, line, row, "amount_bn")
        if amount < 0:
            _fail(path, line, row, f"negative amount {amount:g}", key="amount_bn", allowed="USD bn ≥ 0")
        duration = _number(path, line, row, "duration_years")
        start = _date(path, line, row, "start")
        if duration < 0:
            _fail(path, line, row, f"end before start (duration {duration:g} years)", key="duration_years",
                  allowed=f"years from 0 to {MAX_YEARS:g}")
        if duration > MAX_YEARS:
            _fail(path, line, row, f"duration {duration:g} years is longer than any contract", key="duration_years",
                  allowed=f"years from 0 to {MAX_YEARS:g}")
        if "end" in df.columns and row["end"].strip():
            end_given = _date(path, line, row, "end")
            if end_given < start:
                _fail(path, line, row, f"end {end_given.date()} before start {start.date()}", key="end")
            duration = (end_given - start).days / DAYS_PER_CALENDAR_YEAR
            if duration > MAX_YEARS:
                _fail(path, line, row, f"end {end_given.date()} is {duration:.0f} years after start {start.date()}",
                      key="end", allowed=f"at most {MAX_YEARS:g} years after start")
        stake = math.nan
        if "stake_pct" in df.columns and row["stake_pct"].strip():
            stake = _number(path, line, row, "stake_pct")
            if not 0.0 <= stake <= 100.0:
                _fail(path, line, row, f"stake {stake:g}% is out of range", key="stake_pct", allowed="0–100")
        schedule = row["schedule"].strip() if "schedule" in df.columns else ""
        if schedule and schedule not in SCHEDULES:
            _fail(path, line, row, f"unknown schedule {schedule!r}", key="schedule", allowed=", ".join(SCHEDULES))
        if not schedule:
            schedule = "ramp" if deal_id in ramp_ids else ""
        settlement = row["settlement"].strip() if "settlement" in df.columns else ""
        if settlement and settlement not in SETTLEMENTS:
            _fail(path, line, row, f"unknown settlement {settlement!r}", key="settlement",
                  allowed=", ".join(SETTLEMENTS))
        if not settlement:
            settlement = "shares" if deal_id in share_ids else "cash"
        announced = _date(path, line, row, "announced") if "announced" in df.columns else pd.NaT
        status = row["status"].strip() if "status" in df.columns else "signed"
        if status not in STATUSES:
            _fail(path, line, row, f"unknown status {status!r}", key="status", allowed=", ".join(STATUSES))
        p = 1.0
        if "conversion_probability" in df.columns:
            p = _number(path, line, row, "conversion_probability")
            if not 0.0 <= p <= 1.0:
                _fail(path, line, row, f"conversion_probability {p:g} is out of range", key="conversion_probability",
                      allowed="0–1")
        borrower = row["legal_borrower"].strip() if "legal_borrower" in df.columns else ""
        if borrower and kind != "financing":
            _fail(path, line, row, "legal_borrower is for financing rows only", key="legal_borrower",
                  allowed="empty, or the legal borrower of a financing row")
        rows.append({
            "deal_id": deal_id, "source_party": row["source_party"].strip(),
            "target_party": row["target_party"].strip(), "type": kind, "amount_bn": amount,
            "start": start, "duration_years": duration,
            "end": start + pd.Timedelta(days=round(duration * DAYS_PER_CALENDAR_YEAR)),
            "stake_pct": stake, "schedule": schedule, "settlement": settlement,
            "announced": announced, "status": status, "conversion_probability": p, "legal_borrower": borrower,
            "description": row.get("description", ""), "source": row.get("source", ""),
            "source_date": row.get("source_date", ""),
        })
    if not rows:
        raise InputError("no deals in the file", file=path)
    if not any(r["amount_bn"] > 0 for r in rows):
        raise InputError("every amount_bn is 0: the file moves no money", file=path, key="amount_bn",
                         allowed="at least one deal with an amount > 0")
    return pd.DataFrame(rows)


def _date(path: str, line: int, row, col: str) -> pd.Timestamp:
    try:
        d = pd.Timestamp(row[col].strip())
    except (ValueError, TypeError):
        d = pd.NaT
    if pd.isna(d):
        _fail(path, line, row, f"bad {col} date {row[col]!r}", key=col, allowed="YYYY-MM-DD")
    return d


def _number(path: str, line: int, row, col: str) -> float:
    text = str(row[col]).strip()
    if not text:
        _fail(path, line, row, f"missing {col}", key=col, allowed="a number")
    try:
        v = float(text)
    except ValueError:
        _fail(path, line, row, f"{col} {text!r} is not a number", key=col, allowed="a number")
    if not math.isfinite(v):
        _fail(path, line, row, f"{col} {text!r} is not finite", key=col, allowed="a finite number")
    return v


def parse_conversion(text: str, origin: str, key: str) -> dict[str, float]:
    """A scenario's conversion probabilities, `"S12=0.2, S10=0"` → {deal id: p}."""
    out: dict[str, float] = {}
    for item in _ids(text):
        name, sep, value = item.partition("=")
        try:
            p = float(value) if sep else math.nan
        except ValueError:
            p = math.nan
        if not (0.0 <= p <= 1.0):
            raise InputError(f"bad entry {item!r}", file=origin, key=key,
                             allowed="deal_id=probability pairs, comma-separated, each probability 0–1")
        out[name.strip()] = p
    return out
