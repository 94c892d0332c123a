"""Shared fixtures. Runs are cached per session so several tests can read one simulation.

The long runs (5,000-day baselines with every class on, and with one class off) are the costly part
of the suite. The validation report, the stylized-facts tests and the loop-sign tests all measure
them through `interlock.experiments.validation.checks.cached_run`; the session fixture `long_runs`
memoises that function for the whole session, so each run is made once however many tests (and the
in-process `validate --quick` report) read it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from long_runs import SessionRuns

_TIERS = ("unit", "integration", "system")


def pytest_collection_modifyitems(config, items):
    """Mark each test by its folder: `pytest -m unit` (or `pytest tests/unit`) runs the fast ones."""
    for item in items:
        tier = Path(str(item.fspath)).parent.name
        if tier in _TIERS:
            item.add_marker(getattr(pytest.mark, tier))


@functools.lru_cache(maxsize=64)
def cached_run(scenario: str, days: int, seed: int, disabled: tuple = (), overrides: tuple = ()):
    from interlock.experiments.runner import run
    return run(scenario, days=days, seed=seed, disabled=disabled, overrides=dict(overrides),
               amplification=False)


@pytest.fixture
def run_cached():
    """`run_cached(scenario, days, seed, disabled=(), overrides=())` → RunResult (memoised)."""
    def _run(scenario, days, seed, disabled=(), overrides=()):
        return cached_run(scenario, days, seed, tuple(sorted(disabled)), tuple(sorted(dict(overrides).items())))
    return _run


@pytest.fixture(scope="session")
def long_runs() -> SessionRuns:
    """The session's memo of validation runs (see `SessionRuns`)."""
    return SessionRuns()


@pytest.fixture
def validation_runs(long_runs):
    """For one test: the validation measurements read the session's runs."""
    with long_runs.installed():
        yield long_runs
