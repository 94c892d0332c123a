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
from interlock.inputs.firms import default_firms_path, load_firms

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


# ----- every bad firms or deals file is an InputError naming the file, the row and the column ------
FIRMS_TEXT = pd.read_csv(default_firms_path(), dtype=str, keep_default_na=False)


def _firms_file(tmp_path, change) -> str:
    df = FIRMS_TEXT.copy()
    change(df)
    path = tmp_path / "firms.csv"
    df.to_csv(path, index=False)
    return str(path)


def _cell(col, value, row=0):
    return lambda df: df.__setitem__(col, df[col].where(df.index != row, value))


BAD_FIRMS = {
    "text in a number column": (_cell("revenue_bn", "abc"), "revenue_bn", "row 2 (MSFT): revenue_bn 'abc' is not a number"),
    "NA is text, not empty": (_cell("cash_bn", "NA"), "cash_bn", "row 2 (MSFT): cash_bn 'NA' is not a number"),
    "a negative amount": (_cell("debt_bn", "-3"), "debt_bn", "row 2 (MSFT): debt_bn -3 is negative"),
    "a zero market cap": (_cell("market_cap_bn", "0"), "market_cap_bn", "market_cap_bn 0 is not positive"),
    "an infinite amount": (_cell("capex_bn", "inf"), "capex_bn", "row 2 (MSFT): capex_bn 'inf' is not finite"),
    "a share above one": (_cell("ai_revenue_share", "1.2"), "ai_revenue_share", "ai_revenue_share 1.2 is not a share"),
    "a firm twice": (_cell("firm", "MSFT", row=1), "firm", "row 3: firm 'MSFT' is listed twice"),
    "a ticker twice": (_cell("ticker", "MSFT", row=1), "ticker", "row 3: ticker 'MSFT' is listed twice"),
    "listed is not a yes or no": (_cell("listed", "maybe"), "listed", "listed 'maybe' is not true or false"),
    "a firm without a name": (_cell("firm", " "), "firm", "row 2: every firm needs a name"),
}


@pytest.mark.parametrize("case", sorted(BAD_FIRMS))
def test_a_bad_firms_file_is_an_input_error_naming_the_file_row_and_column(tmp_path, case):
    change, column, message = BAD_FIRMS[case]
    path = _firms_file(tmp_path, change)
    with pytest.raises(InputError) as err:
        load_firms(path)
    assert err.value.file == path and err.value.key == column and message in str(err.value)
    assert "\n" not in str(err.value)


def test_operating_cash_flow_may_be_negative_and_an_empty_cell_is_missing(tmp_path):
    path = _firms_file(tmp_path, lambda df: (_cell("operating_cash_flow_bn", "-8.5")(df), _cell("cash_bn", " ", row=1)(df)))
    firms = load_firms(path).set_index("firm")
    assert firms.loc["MSFT", "operating_cash_flow_bn"] == -8.5 and pd.isna(firms.loc["GOOGL", "cash_bn"])


@pytest.mark.parametrize("text,message", [("", "empty file"), ("firm,kind,listed,ticker,source\n", "no firms"),
                                          (b"firm,kind\n\xff\xfe,x\n", "not UTF-8")])
def test_an_empty_or_unreadable_firms_file_is_an_input_error_naming_it(tmp_path, text, message):
    path = tmp_path / "firms.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(InputError, match=message) as err:
        load_firms(path)
    assert err.value.file == str(path)


@pytest.mark.parametrize("years,message", [("1e308", "longer than any contract"), ("101", "longer than any contract"),
                                           ("1e400", "is not finite")])
def test_a_deal_longer_than_a_century_is_refused_naming_the_row(tmp_path, years, message):
    path = _bad_file(tmp_path, lambda df: df.__setitem__("duration_years", df["duration_years"].where(df.index != 3, years)))
    with pytest.raises(InputError) as err:
        load_deals(path)
    assert err.value.key == "duration_years" and "row 5 (S04)" in str(err.value) and message in str(err.value)


def test_an_end_column_a_century_after_the_start_is_refused(tmp_path):
    path = _bad_file(tmp_path, lambda df: (df.__setitem__("end", ""), df.loc.__setitem__((0, "end"), "2200-01-01")))
    with pytest.raises(InputError, match=r"row 2 \(S01\): end 2200-01-01 is 173 years after start"):
        load_deals(path)


def test_a_deals_file_that_moves_no_money_is_refused(tmp_path):
    path = _bad_file(tmp_path, lambda df: df.__setitem__("amount_bn", "0"))
    with pytest.raises(InputError, match="every amount_bn is 0") as err:
        load_deals(path)
    assert err.value.file == str(path) and err.value.key == "amount_bn"


def test_an_empty_deals_file_is_an_input_error_naming_it(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty file") as err:
        load_deals(path)
    assert err.value.file == str(path)


# ----- the loaders' caches: a file edited within one process is read again ---------------------------
def test_a_firms_file_edited_within_one_process_is_read_again(tmp_path):
    path = _firms_file(tmp_path, lambda df: None)
    assert load_firms(path).set_index("firm").loc["MSFT", "cash_bn"] == float(FIRMS_TEXT.loc[0, "cash_bn"])
    _firms_file(tmp_path, _cell("cash_bn", "1.25"))               # same path, new content
    assert load_firms(path).set_index("firm").loc["MSFT", "cash_bn"] == 1.25
    _firms_file(tmp_path, _cell("cash_bn", "abc"))
    with pytest.raises(InputError, match="cash_bn 'abc'"):
        load_firms(path)


def test_a_deals_file_edited_within_one_process_is_read_again(tmp_path):
    path = _bad_file(tmp_path, lambda df: None)
    before = SHIPPED.loc[3, "amount_bn"]
    assert load_deals(path).set_index("deal_id").loc["S04", "amount_bn"] == float(before)
    after = "7.5" if len(before) != 3 else "7.25"   # another size: within one clock tick the size tells the edit
    _bad_file(tmp_path, lambda df: df.__setitem__("amount_bn", df["amount_bn"].where(df.index != 3, after)))
    assert load_deals(path).set_index("deal_id").loc["S04", "amount_bn"] == float(after)
