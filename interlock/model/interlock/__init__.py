"""The AI capital interlock: deals graph, ledger, values, compute market and the block that runs them."""
