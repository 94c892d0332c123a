"""interlock: an agent-based simulation of capital flows between the AI-capex complex, systematic
funds, corporate buybacks, crypto holders and the Fed.

    >>> import interlock
    >>> result = interlock.run("vol_shock", days=252, seed=1)
    >>> result.timeseries[["day", "SPX", "VOL_1M"]].tail()
"""

from ._version import __version__

from .experiments.runner import RunResult, build_model, run  # noqa: E402
from .experiments.scenarios import Scenario, list_scenarios, load_scenario  # noqa: E402

__all__ = ["run", "build_model", "RunResult", "Scenario", "load_scenario", "list_scenarios", "__version__"]
