"""Bounded work: what a sweep or a stress test will cost, estimated from its plan before anything
runs, and the documented limits (docs/sweeps.md#limits).

- **Hard limits** (refused whatever you say): more than `MAX_RUNS` runs, or a design of more than
  `MAX_RUNS` points — a plan that size alone takes gigabytes and minutes to build.
- **Soft limits** (refused unless you pass `--yes`): an estimated `MAX_CPU_HOURS` of CPU time,
  `MAX_DISK_GB` of output or `MAX_MEMORY_GB` of memory for the plan.

The estimates are deliberately simple and say so: CPU time = runs × days × `CPU_S_PER_RUN_DAY`
(doubled with `amplification`, which runs every scenario twice), disk = a summary row per run
plus the kept time series (8 bytes a value before compression), memory = `PLAN_BYTES_PER_RUN` per
planned run. `CPU_S_PER_RUN_DAY` was measured on the development machine (`interlock run
baseline`, 100–400 days: 4.0–4.4 ms of CPU a simulated day; rounded up) — an order of magnitude,
not a promise; the runs spread over the workers, so the wall-clock time is about this over the
worker count.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import InputError

MAX_RUNS = 1_000_000            # hard: runs of one sweep or stress test, points of one design
MAX_CPU_HOURS = 4.0             # soft (--yes): estimated CPU time
MAX_DISK_GB = 2.0               # soft (--yes): estimated size of the outputs
MAX_MEMORY_GB = 1.0             # soft (--yes): estimated memory of the plan

CPU_S_PER_RUN_DAY = 0.005       # CPU seconds per simulated day of one run (measured ≈ 0.004, see above)
PLAN_BYTES_PER_RUN = 1_000      # the plan's memory per run (measured ≈ 900 bytes at the peak)
SUMMARY_BYTES_PER_RUN = 2_000   # one summary row (≈ 150 metrics) and its parameters
SERIES_COLUMNS_ALL = 250        # columns of a full time series (when a spec keeps "all")


@dataclass(frozen=True)
class Estimate:
    runs: int
    days: int
    cpu_hours: float
    disk_gb: float
    memory_gb: float

    def describe(self) -> str:
        return (f"{self.runs:,} runs of {self.days:,} days ≈ {self.cpu_hours:,.1f} CPU hours, "
                f"{self.disk_gb:,.2f} GB of output, {self.memory_gb:,.2f} GB of memory for the plan")


def estimate(runs: int, days: int, *, amplification: bool = False, series_every: int | None = None,
             series_columns: int | None = None, series_runs: int | None = None) -> Estimate:
    """The cost of `runs` runs of `days` days; `series_every` / `series_columns` describe the time
    series kept (of `series_runs` of them, default all)."""
    cpu = runs * days * CPU_S_PER_RUN_DAY * (2 if amplification else 1) / 3600
    disk = runs * SUMMARY_BYTES_PER_RUN
    if series_every:
        kept = runs if series_runs is None else series_runs
        disk += kept * (days // series_every + 1) * (series_columns or SERIES_COLUMNS_ALL) * 8
    return Estimate(runs, days, cpu, disk / 1e9, runs * PLAN_BYTES_PER_RUN / 1e9)


def check_hard(points: int, runs: int, origin: str | None, key: str) -> None:
    """Refuse a design or plan past the hard limits (InputError naming `key`)."""
    for what, n in (("design points", points), ("runs", runs)):
        if n > MAX_RUNS:
            raise InputError(f"{n:,} {what} is past the limit of {MAX_RUNS:,}", file=origin, key=key,
                             allowed=f"at most {MAX_RUNS:,} {what} (docs/sweeps.md#limits)")


def check_budget(est: Estimate, yes: bool, origin: str | None) -> None:
    """Refuse a plan past the hard limit, or past a soft limit without `yes` (InputError naming
    `origin`, before anything runs)."""
    check_hard(0, est.runs, origin, "runs")
    over = [f"{name} {val:,.1f} > {lim:g}" for name, val, lim in (
        ("CPU hours", est.cpu_hours, MAX_CPU_HOURS), ("GB of output", est.disk_gb, MAX_DISK_GB),
        ("GB of memory", est.memory_gb, MAX_MEMORY_GB)) if val > lim]
    if over and not yes:
        raise InputError(f"{est.describe()}: past the limits ({'; '.join(over)})", file=origin, key="--yes",
                         allowed="fewer points, seeds or days, or --yes to run it anyway (docs/sweeps.md#limits)")
