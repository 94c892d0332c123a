"""Experiments with the model: scenarios, the runner and its summary metrics, sweeps, narrative
stress tests and validation. This layer computes and writes tables; it draws nothing (figures and
Markdown reports are in `interlock.viz` and `interlock.reports`)."""
