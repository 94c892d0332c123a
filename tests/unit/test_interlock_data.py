"""The interlock graph as data (issue #3): the shipped deals and firms, validation of a user's deals
file (clear error naming the row), the MultiDiGraph, its investment → revenue loops and the firms
placed on the graph as Mesa agents. The command line's side (exit code 2, `interlock graph`) is in
tests/system/test_interlock_cli.py."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from interlock.errors import InputError
from interlock.model.interlock.deals import (build_graph, default_deals_path, investment_cycles, load_deals,
                                   resolve_schedules)
from interlock.inputs.firms import load_firms

SHIPPED = pd.read_csv(default_deals_path(), dtype=str, keep_default_na=False)


def test_shipped_deals_have_at_least_twenty_sourced_rows_of_every_type():
    deals = load_deals()
    assert len(deals) >= 20
    assert set(deals["type"]) == {"supply", "equity", "financing"}
    assert deals["source"].str.strip().ne("").all() and deals["source_date"].str.strip().ne("").all()
    # MODEL.md §3.4's deals are there, in the direction money flows
    pairs = set(zip(deals["source_party"], deals["target_party"], deals["type"]))
    assert {("OpenAI", "ORCL", "supply"), ("OpenAI", "MSFT", "supply"), ("MSFT", "OpenAI", "equity"),
            ("NVDA", "OpenAI", "equity"), ("NVDA", "CoreWeave", "equity"), ("MSFT", "Nebius", "supply")} <= pairs


def test_shipped_firms_cover_every_kind_with_sources():
    firms = load_firms()
    assert {"MSFT", "GOOGL", "AMZN", "META", "ORCL", "NVDA", "AMD", "AVGO", "OpenAI", "Anthropic", "xAI",
            "CoreWeave", "Nebius", "OTHER"} == set(firms["firm"])
    assert firms["source"].str.strip().ne("").all()


def _bad_file(tmp_path, change):
    df = SHIPPED.copy()
    change(df)
    path = tmp_path / "deals.csv"
    df.to_csv(path, index=False)
    return path


BAD = {
    "unknown party": (lambda df: df.__setitem__("target_party", df["target_party"].where(df.index != 3, "Initech")),
                      "unknown party 'Initech'"),
    "unknown type": (lambda df: df.__setitem__("type", df["type"].where(df.index != 3, "loan")), "unknown type 'loan'"),
    "negative amount": (lambda df: df.__setitem__("amount_bn", df["amount_bn"].where(df.index != 3, "-5")),
                        "negative amount"),
    "missing amount": (lambda df: df.__setitem__("amount_bn", df["amount_bn"].where(df.index != 3, "")),
                       "missing amount_bn"),
    "end before start": (lambda df: df.__setitem__("duration_years", df["duration_years"].where(df.index != 3, "-1")),
                         "end before start"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_deals_file_is_an_input_error_naming_the_file_and_row(tmp_path, case):
    change, message = BAD[case]
    path = _bad_file(tmp_path, change)
    with pytest.raises(InputError) as err:
        load_deals(path)
    text = str(err.value)
    assert str(path) in text and "row 5 (S04)" in text and message in text


def test_an_end_column_before_the_start_is_rejected(tmp_path):
    df = SHIPPED.copy()
    df["end"] = ""
    df.loc[0, "end"] = "2020-01-01"
    path = tmp_path / "deals.csv"
    df.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"row 2 \(S01\): end 2020-01-01 before start"):
        load_deals(path)


def test_the_graph_is_a_multidigraph_of_firms_and_deals_with_closed_investment_loops():
    firms = load_firms()
    deals = resolve_schedules(load_deals(), firms, 1.0)
    g = build_graph(firms, deals)
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == 14 and g.number_of_edges() == len(deals)
    assert g.edges["NVDA", "OpenAI", "E02"]["type"] == "equity"
    loops = [[h[0] for h in c] for c in investment_cycles(g)]
    # seeds/000's triangle: NVIDIA's money to OpenAI comes back through Oracle's NVIDIA purchases
    assert ["NVDA", "OpenAI", "ORCL"] in loops
    assert ["MSFT", "OpenAI"] in loops


def test_firms_are_mesa_agents_placed_on_the_deals_network():
    from mesa.discrete_space import Network

    from interlock.experiments.runner import build_model
    m = build_model("baseline", seed=1)
    try:
        b = m.block("interlock")
        assert isinstance(b.space, Network)
        assert {f.name for f in b.firms} == set(b.graph.nodes)
        nvda = next(f for f in b.firms if f.name == "NVDA")
        assert nvda.cell.coordinate == "NVDA" and nvda in nvda.cell.agents
        assert set(nvda.counterparties) == set(b.graph.successors("NVDA"))
        assert nvda.revenue > 0 and nvda.value == pytest.approx(m.market.cap0[m.market.idx["NVDA"]])
    finally:
        m.release()
