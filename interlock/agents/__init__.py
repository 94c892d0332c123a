"""Agents: one module per agent kind. Importing a module registers its population."""

from __future__ import annotations

import importlib
import pkgutil

from .base import POPULATIONS, Member, Population, register_population

__all__ = ["POPULATIONS", "Member", "Population", "register_population", "load_agent_modules"]

_loaded = False


def load_agent_modules() -> None:
    """Import every agent module so that each registers itself (idempotent)."""
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True
