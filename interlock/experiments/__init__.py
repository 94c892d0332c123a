"""Scenarios, shocks, runs, sweeps and narratives."""
