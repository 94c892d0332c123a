"""Reports: what the experiments measured, written for a reader — Markdown with its figures (drawn
by `interlock.viz`). The experiments layer computes and writes tables; this layer renders."""
