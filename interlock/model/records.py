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
    """Executed orders. Each fill's (small: members × instruments) order array is copied as it comes
    and their non-zero entries are picked out together, every `COMPACT_EVERY` fills and at `frame`:
    one `np.nonzero` over the stacked arrays gives the same rows in the same order as one per fill,
    without three numpy calls per fill (issue #16: ~8 fills a day), and the copies kept stay few."""

    COMPACT_EVERY = 1024

    def __init__(self, instruments: list[str], classes: list[str]):
        self.instruments = list(instruments)
        self.classes = list(classes)
        self.reasons = ["voluntary"]
        self._raw: list[tuple] = []        # (day, round, class, ids, orders copy, forced, reason) per fill
        self._blocks: list[tuple] = []     # compacted fills: (entries per fill, meta per fill, entry columns)

    def add(self, day: int, round_no: int, class_code: int, ids: np.ndarray, orders: np.ndarray,
            forced: bool, reason_code: int) -> None:
        self._raw.append((day, round_no, class_code, ids, orders.copy(), forced, reason_code))
        if len(self._raw) >= self.COMPACT_EVERY:
            self._compact()

    def _compact(self) -> None:
        raw = self._raw
        if not raw:
            return
        self._raw = []
        per_fill = [r[4].shape[0] for r in raw]
        orders = np.concatenate([r[4] for r in raw])
        # np.nonzero's (row, column) pairs in its C order, from the flat indices: ~40% cheaper on the
        # ~10⁵ mostly-zero entries of a batch than nonzero's two-dimensional path (issue #16)
        rows, cols = np.divmod(np.flatnonzero(orders), orders.shape[1])
        fill = np.repeat(np.arange(len(raw)), per_fill)[rows]           # which fill each entry is from
        entries = np.bincount(fill, minlength=len(raw))
        self._blocks.append((entries, [(r[0], r[1], r[2], r[5], r[6]) for r in raw],
                             np.concatenate([r[3] for r in raw])[rows], cols, orders[rows, cols]))

    @property
    def chunks(self) -> list[tuple]:
        """One tuple per fill with an executed order: (day, round, class code, agent ids, asset
        codes, USD bn, forced, reason code), the ids, codes and dollars of its non-zero entries."""
        self._compact()
        out = []
        for entries, meta, ids, cols, usd in self._blocks:
            edges = np.cumsum(entries)[:-1]
            for k, (m, i, c, u) in enumerate(zip(meta, np.split(ids, edges), np.split(cols, edges),
                                                 np.split(usd, edges))):
                if entries[k]:
                    out.append((m[0], m[1], m[2], i, c, u, m[3], m[4]))
        return out

    def reason_code(self, reason: str) -> int:
        if reason not in self.reasons:
            self.reasons.append(reason)
        return self.reasons.index(reason)

    def frame(self) -> pd.DataFrame:
        cols = {"day": [], "round": [], "agent_class": [], "agent_id": [], "asset": [], "usd_bn": [],
                "forced": [], "reason": []}
        self._compact()
        blocks = self._blocks
        if not any(b[2].size for b in blocks):
            return pd.DataFrame({k: pd.Series(dtype=t) for k, t in
                                 zip(cols, ["int32", "int16", "str", "int64", "str", "float64", "bool", "str"])})
        entries = np.concatenate([b[0] for b in blocks])
        meta = [m for b in blocks for m in b[1]]
        return pd.DataFrame({
            "day": np.repeat([m[0] for m in meta], entries).astype(np.int32),
            "round": np.repeat([m[1] for m in meta], entries).astype(np.int16),
            "agent_class": _labels(self.classes, np.repeat([m[2] for m in meta], entries)),
            "agent_id": np.concatenate([b[2] for b in blocks]).astype(np.int64),
            "asset": _labels(self.instruments, np.concatenate([b[3] for b in blocks])),
            "usd_bn": np.concatenate([b[4] for b in blocks]),
            "forced": np.repeat([m[3] for m in meta], entries),
            "reason": _labels(self.reasons, np.repeat([m[4] for m in meta], entries)),
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
