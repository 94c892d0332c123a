"""The package's one home for reading and writing files (`interlock.io`): bad TOML is an
InputError naming the file, nested tables flatten to the key paths users write, JSON never holds
NaN, and an interrupted write never leaves a half-written file."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlock.errors import InputError
from interlock.io import atomic_write, dumps_json, error_key, flatten, read_toml


@pytest.mark.parametrize("content,message", [
    (None, "file not found"),
    ("a = [1, 2", "malformed TOML"),
    (b"\xff\xfe = 1", "is not UTF-8 text"),
])
def test_an_unreadable_toml_file_is_an_input_error_naming_the_file(tmp_path, content, message):
    p = tmp_path / "bad.toml"
    if isinstance(content, bytes):
        p.write_bytes(content)
    elif content is not None:
        p.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_toml(p)
    assert message in str(e.value) and "bad.toml" in str(e.value)


def test_a_folder_given_as_a_toml_file_says_what_was_expected(tmp_path):
    with pytest.raises(InputError, match="is a folder, not a sweep spec"):
        read_toml(tmp_path, "sweep spec")


def test_both_spellings_of_a_key_path_flatten_alike_and_giving_both_is_refused():
    assert flatten({"cta": {"aum": 1, "speed": {"fast": 2}}}) == {"cta.aum": 1, "cta.speed.fast": 2}
    assert flatten({"cta.aum": 1}) == {"cta.aum": 1}
    with pytest.raises(InputError, match="the same key path is given twice") as e:
        flatten({"cta.aum": 1, "cta": {"aum": 2}}, origin="spec.toml")
    assert "cta.aum" in str(e.value) and "spec.toml" in str(e.value)


def test_a_leaf_table_is_kept_whole():
    axis = lambda t: set(t) <= {"range", "dist"}  # noqa: E731
    tree = {"cta": {"aum": {"range": [1, 2]}}, "vol_target.aum": {}}
    assert flatten(tree, is_leaf=axis) == {"cta.aum": {"range": [1, 2]}, "vol_target.aum": {}}


@given(st.recursive(st.integers(), lambda inner: st.dictionaries(st.sampled_from("abc"), inner, min_size=1),
                    max_leaves=12))
def test_flattening_keeps_every_leaf_once(tree):
    if not isinstance(tree, dict):
        return

    def leaves(t):
        return sum((leaves(v) if isinstance(v, dict) else 1) for v in t.values())
    assert len(flatten(tree)) == leaves(tree)


def test_json_output_has_no_nan_and_writes_numpy_as_numbers():
    text = dumps_json({"b": np.float64("nan"), "a": [np.int64(3), math.inf], "c": np.array([1.5, np.nan])})
    assert json.loads(text) == {"a": [3, None], "b": None, "c": [1.5, None]}
    assert text.index('"a"') < text.index('"b"') < text.index('"c"')       # sorted keys


def test_a_pydantic_error_location_reads_as_the_key_the_user_wrote():
    assert error_key(("shocks", 0, "at")) == "shocks[0].at"
    assert error_key(("design", "n")) == "design.n"


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path):
    p = tmp_path / "manifest.json"
    atomic_write(p, lambda q: q.write_text("old", encoding="utf-8"))

    def fails(q):
        q.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        atomic_write(p, fails)
    assert p.read_text(encoding="utf-8") == "old"
    assert [f.name for f in tmp_path.iterdir()] == ["manifest.json"]
