"""Non-trading model blocks (the AI capital interlock and its firms, the compute market): they
run after the Fed and before the traders each day, set fundamental values and budgets, and log
cascade events. Register a block with `@register_block(name, order)`; it is switched like an
agent class (`<name>.enabled`, `--attribution`)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import ClassVar

import numpy as np

BLOCKS: dict[str, type["Block"]] = {}


def register_block(name: str, order: int):
    def deco(cls: type[Block]) -> type[Block]:
        cls.name = name
        cls.order = order
        BLOCKS[name] = cls
        return cls

    return deco


class Block:
    name: ClassVar[str] = ""
    order: ClassVar[int] = 0

    def __init__(self, model, rng: np.random.Generator):
        self.model = model
        self.rng = rng

    def begin_day(self) -> None:
        """Before the traders: update fundamentals, budgets, cascades."""

    def end_day(self, returns: np.ndarray) -> None:
        """After the close."""

    def columns(self) -> list[str]:
        return []

    def record(self) -> list[float]:
        return []


_loaded = False


def load_block_modules() -> None:
    """Import every module of `interlock.model` that may register blocks (idempotent)."""
    global _loaded
    if _loaded:
        return
    import interlock.model as pkg
    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"interlock.model.{info.name}")
    _loaded = True
