"""Sweeps: many runs of the runner (`spec` → `jobs` → `engine`), and their sensitivity analysis."""
