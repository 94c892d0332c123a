"""Agents: one module per agent kind. Trading kinds are vectorised `Population`s whose members are
Mesa agents; the model lists them, in activation order, in `interlock.model.model.TRADERS`."""

from .base import Member, Population

__all__ = ["Member", "Population"]
