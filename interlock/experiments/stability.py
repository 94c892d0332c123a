"""Whether a run was stable, read the same way everywhere (issue #12 item 6).

The model reports it: every run's summary carries `summary["stability"] = {"stable": bool,
"reasons": [str], "guard_events": int}` and, among its flat metrics, `stability.stable` (1.0 or
0.0) and `stability.guard_events`. A run in which a guard bound is unstable: its prices past the
guard are guarded numbers, not market outcomes. `interlock run` prints a warning line for such a
run; sweeps count them; `sensitivity`, `sweep-plot` and `stress` count them and leave them out of
their statistics unless asked (`--include-unstable`).

Readers are defensive: a summary or table without these fields (written before the fields
existed) counts as stable."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

STABLE = "stability.stable"                 # the flat metric: 1.0 stable, 0.0 unstable
GUARD_EVENTS = "stability.guard_events"     # the flat metric: how often a guard bound


@dataclass(frozen=True)
class Stability:
    stable: bool = True
    reasons: tuple[str, ...] = ()
    guard_events: int = 0
    known: bool = False                       # False: the summary did not say (counted as stable)


def of_summary(summary: Mapping[str, Any]) -> Stability:
    """A run summary's stability (stable when it does not say)."""
    s = summary.get("stability") if isinstance(summary, Mapping) else None
    if not isinstance(s, Mapping) or "stable" not in s:
        return Stability()
    reasons = s.get("reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    try:
        events = int(s.get("guard_events") or 0)
    except (TypeError, ValueError):
        events = 0
    return Stability(bool(s["stable"]), tuple(str(r) for r in reasons), events, True)


def warning_line(summary: Mapping[str, Any]) -> str | None:
    """The one line `interlock run` prints for an unstable run, or None for a stable one."""
    st = of_summary(summary)
    if st.stable:
        return None
    why = "; ".join(st.reasons) if st.reasons else "a guard bound"
    events = f", {st.guard_events} guard events" if st.guard_events else ""
    return (f"warning: this run was unstable ({why}{events}): prices past a guard are not market "
            "outcomes; see summary.json's stability")


def unstable_mask(table: pd.DataFrame) -> pd.Series:
    """Rows of a sweep's summary (or runs) table whose run was unstable: `stability.stable` is 0.
    Rows without the column, or with no value in it (a failed run), count as stable."""
    if STABLE not in table.columns:
        return pd.Series(False, index=table.index)
    col = pd.to_numeric(table[STABLE], errors="coerce")
    return (col == 0.0).fillna(False).astype(bool)


def count_unstable(table: pd.DataFrame) -> int:
    return int(unstable_mask(table).sum())


def row_flags(summary: Mapping[str, Any]) -> dict[str, float]:
    """The flat metrics of a summary's stability (for per-run rows that do not carry every
    metric, such as a stress test's): NaN when the summary does not say."""
    st = of_summary(summary)
    if not st.known:
        return {STABLE: math.nan, GUARD_EVENTS: math.nan}
    return {STABLE: 1.0 if st.stable else 0.0, GUARD_EVENTS: float(st.guard_events)}


def leave_out_note(n_unstable: int, n_runs: int, included: bool) -> str | None:
    """One line saying how many runs were unstable and what was done with them."""
    if not n_unstable:
        return None
    if included:
        return (f"{n_unstable} of {n_runs} runs were unstable (a guard bound); they are included "
                "(--include-unstable)")
    return (f"{n_unstable} of {n_runs} runs were unstable (a guard bound) and are left out; "
            "--include-unstable keeps them")
