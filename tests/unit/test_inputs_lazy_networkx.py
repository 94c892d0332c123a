"""Reading the deals file does not import networkx (the graph is the model's and the `graph`
command's business; `interlock graph --help` and the loaders' checks stay quick)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit


def test_importing_and_using_the_deals_loader_leaves_networkx_unimported():
    code = ("import sys; from interlock.inputs import deals; "
            "deals.parse_conversion('', 'x', 'y'); print('networkx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
