"""Bit-identical outputs across the architecture refactor (issue 11).

`python tests/refactor/reference.py record` runs every shipped scenario at its own seed and days
and writes a hash per column of its `timeseries`, `flows` and `events` tables to
`tests/refactor/reference.json`; the test compares a fresh run with that file. Retired (with this
folder) once issue 11 is resolved: it exists only to prove the refactor changed no behaviour.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REFERENCE = Path(__file__).with_name("reference.json")


def column_hashes(df: pd.DataFrame) -> dict[str, str]:
    out = {"__shape__": f"{df.shape[0]}x{df.shape[1]}"}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            data = np.ascontiguousarray(s.to_numpy()).tobytes()
        else:                      # text (object, category or pandas' str): hash the values
            data = "\x1f".join(map(str, s.tolist())).encode()
        out[str(c)] = f"{s.dtype}:{hashlib.sha256(data).hexdigest()[:16]}"
    return out


def scenario_hashes(name: str) -> dict[str, dict[str, str]]:
    import interlock
    from interlock.experiments.runner import simulate

    sc = interlock.load_scenario(name)
    model = interlock.build_model(sc, seed=sc.run.seed)
    try:
        ts, flows, events = simulate(model, sc.run.days)
    finally:
        model.release()
    return {"timeseries": column_hashes(ts), "flows": column_hashes(flows),
            "events": column_hashes(events)}


def shipped() -> list[str]:
    import interlock
    return sorted(s.name for s in interlock.list_scenarios())


if __name__ == "__main__":
    if sys.argv[1:] != ["record"]:
        sys.exit("usage: reference.py record")
    ref = {name: scenario_hashes(name) for name in shipped()}
    REFERENCE.write_text(json.dumps(ref, indent=1, sort_keys=True) + "\n")
    print(f"recorded {len(ref)} scenarios")
