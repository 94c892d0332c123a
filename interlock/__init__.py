"""interlock: an agent-based simulation of capital flows between the AI-capex complex, systematic
funds, corporate buybacks, crypto holders and the Fed.

    >>> import interlock
    >>> result = interlock.run("vol_shock", days=252, seed=1)
    >>> result.timeseries[["day", "SPX", "VOL_1M"]].tail()

The names below load the model on first use, so `interlock -h` (which imports this package)
starts without importing Mesa, pandas and the model.
"""

import importlib
import importlib.util
import os
import sys
import types

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


# ----- start-up time: Mesa's spaces load when first used ----------------------------------------
# `import mesa` (Mesa 3.3) imports every space it ships — `mesa.experimental` pulls scipy.spatial —
# ≈ 0.3–0.6 s of CPU, a sixth of `interlock run baseline`, for modules the model never uses (it
# needs `mesa.Agent`, `mesa.Model` and `mesa.discrete_space.Network`). Before Mesa is first
# imported, `mesa.experimental` and `mesa.space` are registered as stand-ins that import the real
# module on first attribute access, so `mesa.space.MultiGrid`, `from mesa.space import MultiGrid`
# and `import mesa.experimental.devs` work as before (tests/system/test_startup.py).
DEFERRED_MESA = {"mesa.experimental": "experimental/__init__.py", "mesa.space": "space.py"}


class _Deferred(types.ModuleType):
    """A submodule stand-in that imports the real module at its first attribute access and puts it
    in its place (sys.modules and the parent package)."""

    def __getattr__(self, attr: str):
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, real)
        return getattr(real, attr)


def _defer_mesa_spaces() -> None:
    if "mesa" in sys.modules:                       # Mesa already loaded: nothing to save
        return
    spec = importlib.util.find_spec("mesa")         # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return
    root = list(spec.submodule_search_locations)[0]
    for name, rel in DEFERRED_MESA.items():
        if name not in sys.modules:
            stand_in = _Deferred(name)
            stand_in.__spec__ = None
            stand_in.__file__ = os.path.join(root, rel)   # inspect.getmodule reads it without loading
            sys.modules[name] = stand_in


_defer_mesa_spaces()
