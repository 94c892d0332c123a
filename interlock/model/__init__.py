"""The Mesa model, assets and market clearing, valuation, the macro block and model blocks."""
