"""When the model runs its fused numba kernels (issue #16): the retail crypto pass (`_kernels.py`),
fills, price impact, the AI interlock's ledger, the crypto ETF, and the other books' orders, the news
step and the market's clearing (`_fast_agents.py`, `model/_fast.py`).

The kernels give bit-identical runs to the numpy code, so which path runs is a question of cost only.
Their cost is mostly fixed, per process: importing numba and loading the cached machine code takes
~0.7–0.9 s of CPU the first time (benchmarks/bench_default_run.py measures it), while they save
≈ 0.8 ms a simulated day of the default baseline. So by default ("auto") a process starts on the numpy
path and switches to the kernels once it has simulated `AUTO_AFTER_DAYS` model days — a
sweep, stress test or benchmark from its third 756-day run on (a component picks its path when it
is built, so a run never switches midway); a single `interlock run` never pays for numba.

    INTERLOCK_NUMBA=1     the kernels from the first day (numba must be installed)
    INTERLOCK_NUMBA=0     never (the numpy reference path)
    unset / auto          from the process's AUTO_AFTER_DAYS-th day on, if numba is installed
"""

from __future__ import annotations

import importlib.util
import os

from ..errors import InputError

AUTO_AFTER_DAYS = 1000            # ≈ the days whose savings repay the one-off cost: bench_default_run.py
                                  # measured +0.73 s once against 0.64 s saved per 756 days (≈ 865 days) at
                                  # 01e0b28, with every population's kernels (it was 2,000 with the retail
                                  # kernels alone: +1.38 s against 0.53 s)
RAW = os.environ.get("INTERLOCK_NUMBA", "auto")
MODE = RAW.strip().lower() or "auto"
AVAILABLE = importlib.util.find_spec("numba") is not None
days_simulated = 0                # model days this process has simulated, on either path (CapitalFlowModel.step)


def use_kernels() -> bool:
    """Whether a population built now runs the fused kernels."""
    if MODE not in ("0", "1", "auto"):       # bad input: one line and exit 2 from the CLI, not a silent default
        raise InputError(f"INTERLOCK_NUMBA={RAW!r} is not a mode", file="environment", key="INTERLOCK_NUMBA",
                         allowed="0 (numpy path), 1 (kernels) or auto")
    if not AVAILABLE or MODE == "0":
        return False
    return MODE == "1" or days_simulated >= AUTO_AFTER_DAYS


def kernels():
    """The compiled kernels module (imports numba on first use)."""
    from . import _kernels  # lazy: numba's import and the JIT load cost ~0.5–1 s; only a process that runs them pays
    return _kernels


def fast_agents():
    """The books' compiled order kernels (`_fast_agents.py`; imports numba on first use)."""
    from . import _fast_agents  # lazy: only a process that runs the kernels pays numba's import
    return _fast_agents


def if_on(load):
    """`load()` — a kernels module — if a component built now runs the kernels, else None: what every
    component with a kernel path keeps (it picks its path once, when built)."""
    return load() if use_kernels() else None
