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


# ----- `interlock run`'s lean imports (commands/_startup.py, issue #15) ---------------------------

LEAN = ("import gc, inspect, sys\n"
        "real_stack, real_outer, real_getmodule = inspect.stack, inspect.getouterframes, inspect.getmodule\n"
        "from interlock.commands._startup import lean_imports\n"
        "with lean_imports():\n"
        "    assert not gc.isenabled()\n"
        "    import interlock.experiments.runner, interlock.reports.run\n"
        "import matplotlib.artist\n")


def test_lean_imports_leave_the_process_as_it_was_and_numpys_tools_unloaded():
    out = python(LEAN + "print(gc.isenabled(), inspect.stack is real_stack, inspect.getouterframes is real_outer,\n"
                 "      matplotlib.artist.kwdoc.__name__, 'numpy.f2py.f2py2e' in sys.modules,\n"
                 "      inspect.getmodule is real_getmodule)\n"
                 "import mesa; print(type(mesa.model._mesa_logger).__name__, mesa.model._mesa_logger.name)")
    assert out.split() == ["True", "True", "True", "kwdoc", "False", "True", "Logger", "MESA.mesa.model"]


@pytest.mark.parametrize("code", [
    "import numpy.testing as t; print(t.assert_allclose.__name__)",
    "from numpy.testing import assert_allclose; print(assert_allclose.__name__)",
    "import numpy; print(numpy.testing.assert_allclose.__name__)",
    "import numpy, numpy.testing; print(numpy.testing.assert_allclose.__name__, numpy.testing is sys.modules['numpy.testing'])",
    "import numpy; print(numpy.f2py.get_include.__name__, numpy.f2py is sys.modules['numpy.f2py'])",
    "import inspect, numpy; print(inspect.getmodule(numpy.testing.assert_allclose).__name__)",
])
def test_numpys_deferred_tools_load_on_first_use(code):
    out = python(LEAN + code).split()
    assert out[0] in {"assert_allclose", "get_include", "numpy.testing._private.utils"}
    assert all(x == "True" for x in out[1:])


def test_a_lean_import_is_the_same_run():
    # the same numbers and the same picture as a process that imported everything plainly
    code = ("import hashlib, sys, tempfile\nfrom pathlib import Path\n{prelude}"
            "from interlock.experiments.runner import run\nfrom interlock.reports.run import write_run\n"
            "d = Path(tempfile.mkdtemp()); r = run('vol_shock', progress=False, days=30)\n"
            "write_run(r, d / 'r')\n"
            "print(hashlib.sha256(r.timeseries.to_csv().encode()).hexdigest(),"
            " hashlib.sha256((d / 'r' / 'dashboard.png').read_bytes()).hexdigest())")
    plain = python(code.format(prelude=""))
    lean = python(code.format(prelude="from interlock.commands._startup import lean_imports\n"
                              "with lean_imports():\n    import interlock.experiments.runner, interlock.reports.run\n"))
    assert lean == plain
