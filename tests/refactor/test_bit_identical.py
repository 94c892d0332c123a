"""The architecture refactor (issue 11) changes no behaviour: every shipped scenario, at its own
seed and days, gives the same `timeseries`, `flows` and `events` tables as recorded before it."""

import json

import pytest

from .reference import REFERENCE, scenario_hashes, shipped

REF = json.loads(REFERENCE.read_text())


def test_every_shipped_scenario_was_recorded():
    assert sorted(REF) == shipped()


@pytest.mark.parametrize("name", sorted(REF))
def test_outputs_are_bit_identical_to_the_recording(name):
    now = scenario_hashes(name)
    for table in ("timeseries", "flows", "events"):
        want, got = REF[name][table], now[table]
        diff = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
        assert not diff, f"{name}.{table} differs in {diff[:10]}"
