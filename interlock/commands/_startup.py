"""Start-up cost of a command that imports the model and draws (issue #15): `lean_imports()` wraps a
command's first imports of the model, pandas, scipy, Mesa and matplotlib. What it skips is work
those libraries do at import time that a command never reads; the modules, their objects and the
command's outputs are the same.

- No garbage collection while importing: the imports make ~10⁶ objects that live as long as the
  process, and each full collection while they are made walks all of them again (≈ 0.2–0.4 s).
- numpy's `f2py` and `testing` load on first use: scipy.special (which the model needs) copies
  numpy's namespace, and reading every name there loads those two (the Fortran wrapper generator and
  unittest, ≈ 0.05–0.08 s). As with Mesa's spaces (`interlock._Deferred`), a stand-in imports the
  real module at its first attribute access.
- Mesa's module loggers: `mesa.mesa_logging` names a logger after the module that creates it by
  walking the whole call stack with `inspect.stack()`, which reads the source of every frame and
  scans every loaded module for each frame that has no file, then finds the caller's module by
  matching every loaded module's file against the frame's (≈ 0.1 s at the depth a command imports
  Mesa). While importing, the walk gives each frame without reading sources, and a frame's module is
  the one its globals name; Mesa uses only the frame, its function's name and its module's name.
- matplotlib's property tables in docstrings: each Artist class builds, at import, the docstring of
  its `set` method listing every property (`matplotlib.artist.kwdoc`, ≈ 0.1 s of matplotlib's
  ≈ 0.35 s). A command never shows them; in a process whose first import of matplotlib was made
  here, `help(Line2D.set)` lists the properties' names (the signature) without the table, and so do
  the docstrings that include such a table (e.g. `Axes.plot`'s keyword arguments).
"""

from __future__ import annotations

import gc
import importlib
import inspect
import os
import sys
import types
from contextlib import contextmanager
from typing import Iterator

# numpy's submodules that load on first attribute access and that no command uses
NUMPY_DEFERRED = ("f2py", "testing")


@contextmanager
def lean_imports() -> Iterator[None]:
    """Import inside this block (see the module's docstring). Idempotent and cheap once the
    libraries are loaded (a process that runs many commands, e.g. the tests)."""
    was_enabled = gc.isenabled()
    gc.disable()
    restore = []
    try:
        _defer_numpy_tools()
        if "mesa.model" not in sys.modules:
            restore.append(_shallow_stack())
        if "matplotlib.lines" not in sys.modules:
            restore.append(_no_property_tables())
        yield
    finally:
        for undo in reversed(restore):
            undo()
        if was_enabled:
            gc.enable()


def _defer_numpy_tools() -> None:
    import numpy

    for name in NUMPY_DEFERRED:
        full = f"numpy.{name}"
        if full not in sys.modules and name not in vars(numpy):
            stand_in = _NumpyDeferred(full)
            stand_in.__spec__ = None
            # inspect.getmodule (Mesa's loggers) reads every module's __file__: without loading
            stand_in.__file__ = os.path.join(numpy.__path__[0], name, "__init__.py")
            sys.modules[full] = stand_in
            setattr(numpy, name, stand_in)      # numpy's own __getattr__ would import it


class _NumpyDeferred(types.ModuleType):
    """A numpy submodule stand-in, also set as numpy's attribute (numpy's module `__getattr__`
    imports it otherwise): at the first attribute access both are replaced by the real module (the
    import sets numpy's attribute)."""

    def __getattr__(self, attr: str):
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        return getattr(importlib.import_module(name), attr)


def _outer_frames(frame, context: int = 1) -> list[inspect.FrameInfo]:
    """`inspect.getouterframes` without source lines (code_context None): no file is read."""
    out = []
    while frame is not None:
        out.append(inspect.FrameInfo(frame, frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name,
                                     None, None))
        frame = frame.f_back
    return out


def _shallow_stack():
    real_stack, real_outer, real_getmodule = inspect.stack, inspect.getouterframes, inspect.getmodule

    def getmodule(obj, _filename=None):
        """A frame's module by its globals' __name__ (the real one matches every loaded module's
        file against the frame's: the first call reads them all)."""
        if inspect.isframe(obj):
            mod = sys.modules.get(obj.f_globals.get("__name__"))
            if mod is not None:
                return mod
        return real_getmodule(obj, _filename)

    inspect.stack = lambda context=1: _outer_frames(sys._getframe(1), context)
    inspect.getouterframes = _outer_frames
    inspect.getmodule = getmodule

    def undo() -> None:
        inspect.stack, inspect.getouterframes, inspect.getmodule = real_stack, real_outer, real_getmodule
    return undo


def _no_property_tables():
    import matplotlib.artist as martist

    real = martist.kwdoc
    martist.kwdoc = lambda artist: ""

    def undo() -> None:
        martist.kwdoc = real
    return undo
