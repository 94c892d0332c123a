"""Shared fixtures. Runs are cached per session so several tests can read one simulation."""

from __future__ import annotations

import functools

import pytest


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
