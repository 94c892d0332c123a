"""Start-up (issue #16): importing the model does not load the Mesa spaces it never uses (scipy.spatial
& co.), and those spaces still work when a user asks for them. A fresh interpreter each: the test
process has imported them already."""

from __future__ import annotations

import subprocess
import sys

import pytest


def python(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_model_and_runner_load_without_the_unused_mesa_spaces():
    out = python("import sys, interlock, interlock.experiments.runner, interlock.model.model\n"
                 "import mesa\n"
                 "m = mesa.Model(seed=1); a = mesa.Agent(m)\n"
                 "loaded = [n for n in ('scipy.spatial', 'mesa.experimental.continuous_space') if n in sys.modules]\n"
                 "loaded += [n for n in ('mesa.space', 'mesa.experimental') "
                 "if not isinstance(sys.modules[n], interlock._Deferred)]\n"
                 "print(loaded)")
    assert out.strip() == "[]"


@pytest.mark.parametrize("code", [
    "import interlock, mesa; print(mesa.space.MultiGrid.__name__)",
    "import interlock; from mesa.space import MultiGrid; print(MultiGrid.__name__)",
    "import interlock; import mesa.experimental.devs as d; print(d.__name__)",
    "import interlock, mesa; print(mesa.experimental.continuous_space.ContinuousSpace.__name__)",
    "import interlock, mesa; from mesa.discrete_space import OrthogonalMooreGrid as G; print(G.__name__)",
    "import interlock, mesa, mesa.space, sys; print(sys.modules['mesa.space'] is mesa.space, mesa.space.__name__)",
])
def test_a_deferred_mesa_space_loads_on_first_use(code):
    out = python(code).split()
    assert out and out[-1] in {"MultiGrid", "mesa.experimental.devs", "ContinuousSpace", "OrthogonalMooreGrid",
                               "mesa.space"}
    if "is mesa.space" in code:
        assert out[0] == "True"
