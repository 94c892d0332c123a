"""Lean per-day recording: the time series (one numpy row per day), the flow table (every
executed order with day, round, agent class, agent id, asset, $) and the event table."""

from __future__ import annotations

import numpy as np
import pandas as pd


class SeriesRecorder:
    """Each component (the market, every block and population) declares its columns once; each day
    it hands in a mapping with exactly those names, written as one row into a growing float64
    buffer. A missing, extra or reordered name is an error, so a column can never shift."""

    def __init__(self, groups: dict[str, list[str]], capacity: int = 512):
        self.groups = [(name, tuple(cols)) for name, cols in groups.items()]
        self.columns = [c for _, cols in self.groups for c in cols]
        if len(set(self.columns)) != len(self.columns):
            dup = sorted({c for c in self.columns if self.columns.count(c) > 1})
            raise ValueError(f"duplicate time-series columns: {dup}")
        self.buf = np.full((capacity, len(self.columns)), np.nan)
        self.n = 0

    def append(self, rows: dict[str, dict[str, float]]) -> None:
        """Record one day: `rows[component]` maps that component's declared columns to values."""
        if self.n == self.buf.shape[0]:
            self.buf = np.vstack([self.buf, np.full_like(self.buf, np.nan)])
        values: list[float] = []
        for name, cols in self.groups:
            row = rows[name]
            if tuple(row) != cols:
                missing = [c for c in cols if c not in row]
                extra = [c for c in row if c not in cols]
                raise ValueError(f"{name} recorded columns that differ from those it declared: "
                                 f"missing {missing}, undeclared {extra}" if missing or extra else
                                 f"{name} recorded its columns in another order than it declared")
            values.extend(row.values())
        self.buf[self.n] = values
        self.n += 1

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.buf[: self.n].copy(), columns=self.columns)
        df.insert(0, "day", np.arange(self.n, dtype=np.int32))
        return df


class FlowLog:
    """Executed orders, stored as column chunks and concatenated once at the end."""

    def __init__(self, instruments: list[str], classes: list[str]):
        self.instruments = list(instruments)
        self.classes = list(classes)
        self.reasons = ["voluntary"]
        self.chunks: list[tuple] = []

    def add(self, day: int, round_no: int, class_code: int, ids: np.ndarray, orders: np.ndarray,
            forced: bool, reason_code: int) -> None:
        rows, cols = np.nonzero(orders)
        if rows.size == 0:
            return
        self.chunks.append((day, round_no, class_code, ids[rows], cols, orders[rows, cols], forced,
                            reason_code))

    def reason_code(self, reason: str) -> int:
        if reason not in self.reasons:
            self.reasons.append(reason)
        return self.reasons.index(reason)

    def frame(self) -> pd.DataFrame:
        cols = {"day": [], "round": [], "agent_class": [], "agent_id": [], "asset": [], "usd_bn": [],
                "forced": [], "reason": []}
        if not self.chunks:
            return pd.DataFrame({k: pd.Series(dtype=t) for k, t in
                                 zip(cols, ["int32", "int16", "str", "int64", "str", "float64", "bool", "str"])})
        lengths = [c[3].size for c in self.chunks]
        return pd.DataFrame({
            "day": np.repeat([c[0] for c in self.chunks], lengths).astype(np.int32),
            "round": np.repeat([c[1] for c in self.chunks], lengths).astype(np.int16),
            "agent_class": _labels(self.classes, np.repeat([c[2] for c in self.chunks], lengths)),
            "agent_id": np.concatenate([c[3] for c in self.chunks]).astype(np.int64),
            "asset": _labels(self.instruments, np.concatenate([c[4] for c in self.chunks])),
            "usd_bn": np.concatenate([c[5] for c in self.chunks]),
            "forced": np.repeat([c[6] for c in self.chunks], lengths),
            "reason": _labels(self.reasons, np.repeat([c[7] for c in self.chunks], lengths)),
        })


def _labels(names: list[str], codes: np.ndarray):
    """The label of each code as pandas' str column: what a Categorical's .astype(str) gives, but
    the few names are converted once and taken by code (issue #16: the conversion row by row was
    ~0.1 s of a 756-day run)."""
    return pd.array(list(names), dtype=str).take(np.asarray(codes, dtype=np.intp))


class EventLog:
    """Shocks applied, forced-flow triggers, Fed decisions, warnings and interlock cascades."""

    COLUMNS = ["day", "kind", "source", "target", "channel", "usd_bn", "detail"]

    def __init__(self):
        self.rows: list[tuple] = []

    def add(self, day: int, kind: str, source: str, target: str, channel: str, usd_bn: float,
            detail: str = "") -> None:
        self.rows.append((int(day), kind, source, target, channel, float(usd_bn), detail))

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=self.COLUMNS)
        return df.astype({"day": "int32", "kind": str, "source": str, "target": str,
                          "channel": str, "usd_bn": "float64", "detail": str})
