"""interlock: an agent-based simulation of capital flows between the AI-capex complex, systematic
funds, corporate buybacks, crypto holders and the Fed.

    >>> import interlock
    >>> result = interlock.run("vol_shock", days=252, seed=1)
    >>> result.timeseries[["day", "SPX", "VOL_1M"]].tail()

The names below load the model on first use, so `interlock -h` (which imports this package)
starts without importing Mesa, pandas and the model.
"""

from ._version import __version__

__all__ = ["run", "build_model", "RunResult", "Scenario", "load_scenario", "list_scenarios", "__version__"]

_RUNNER = ("run", "build_model", "RunResult")
_SCENARIOS = ("Scenario", "load_scenario", "list_scenarios")


def __getattr__(name: str):
    if name in _RUNNER:
        from .experiments import runner  # lazy: startup time of the command line (it imports this package)
        return getattr(runner, name)
    if name in _SCENARIOS:
        from .experiments import scenarios  # lazy: startup time of the command line (it imports this package)
        return getattr(scenarios, name)
    raise AttributeError(f"module 'interlock' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
