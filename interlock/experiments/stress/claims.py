"""Claims: the small declared language in which a narrative states what must come true in a run.

A claim is a comparison of run quantities, combined with ``and`` / ``or`` / ``not`` and
parentheses. It is tokenised and parsed by a hand-written recursive-descent parser into a tree of
plain nodes, checked against what a run actually records (columns, assets, agent classes, summary
metrics), and evaluated with numpy — never with Python's ``eval``, so a claim can only name the
functions listed below and the data of a run::

    max_drawdown(NVDA, days=0..120) > 0.25
    peak(VOL_1M) > 2 * start(VOL_1M)
    sum(flows, class=vol_target, asset=SPX, days=0..20) < -50
    crypto_liquidations.liquidated_bn > 10 and (return(BTC) < -10% or max_drawdown(BTC) > 0.2)

Grammar (EBNF; keywords are lower case, names are case sensitive)::

    claim      = or_expr
    or_expr    = and_expr { "or" and_expr }
    and_expr   = not_expr { "and" not_expr }
    not_expr   = "not" not_expr | comparison
    comparison = sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
    sum        = product { ("+" | "-") product }
    product    = unary { ("*" | "/") unary }
    unary      = "-" unary | atom
    atom       = NUMBER [ "%" ] | NAME "(" [ arg { "," arg } ] ")" | NAME | "(" or_expr ")"
    arg        = NAME "=" option | or_expr
    option     = [ INT ] ".." [ INT ] | NAME { "|" NAME } | NUMBER | "true" | "false"
    NAME       = letter { letter | digit | "_" } { "." letter { letter | digit | "_" } }

Names resolve, in order, to: a series alias declared by the narrative, a time-series column (an
asset's price such as ``NVDA`` or a state such as ``vol_target_exposure``: a *daily series*), the
tables ``flows`` / ``events`` (only as the first argument of ``sum`` / ``count``), or a summary
metric of the run by its one name (`experiments.metrics.flat_metrics`, the same as a sweep's
summary column: ``peak_VOL_1M``, ``SPX.max_drawdown``, ``amplification.SPX``,
``net_flow_by_class_bn.cta``, ``crypto_liquidations.liquidated_bn``). A series must be reduced to a number (``end(VOL_1M)``) before it
is compared; arithmetic and comparisons inside a function work day by day
(``fraction_of_days(VOL_1M > VOL_3M)``, ``peak(VOL_1M - VOL_3M)``).

``days=a..b`` selects simulated days a to b inclusive (day 0 is the starting state); either end
may be left out, and a negative number counts back from the last day (``days=-20..`` = the last
20 days). ``25%`` is 0.25.

A quantity that cannot be computed in a run (an empty window, a flat series in ``corr``) is
undefined; comparisons with it are undefined, ``and``/``or`` follow three-valued logic, and a run
whose claim stays undefined is left out of the probability (and counted in the report).
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from ...config import Params
from ...errors import InputError
from ...model.model import agent_classes
from ..metrics import numeric_metrics

MAX_CLAIM_CHARS = 2000     # a claim is a sentence, not a program: long inputs are refused
MAX_DEPTH = 40             # nesting limit (keeps the recursive parser's stack small)

# ----- types of expressions ------------------------------------------------------------------
NUM, SERIES, BOOL, BSERIES, TABLE = "number", "daily series", "true/false", "daily true/false", "table"
TABLES = ("flows", "events")

# ----- tokens --------------------------------------------------------------------------------
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)
  | (?P<op><=|>=|==|!=|\.\.|[<>+\-*/(),=|%])
""", re.VERBOSE)
KEYWORDS = {"and", "or", "not", "true", "false"}
COMPARATORS = {"<", "<=", ">", ">=", "==", "!="}


@dataclass(frozen=True)
class Token:
    kind: str        # number, name, op, keyword, end
    text: str
    pos: int


class ClaimError(InputError):
    """A claim that cannot be parsed, names something that does not exist, or mixes types.
    The message quotes the claim and, where it helps, points at the offending position."""

    def __init__(self, claim: str, message: str, pos: int | None = None, allowed: str | None = None,
                 where: str | None = None):
        pointer = ""
        if pos is not None:
            pointer = f" at position {pos + 1} ('{claim[max(0, pos - 12):pos]}⟨here⟩{claim[pos:pos + 12]}')"
        super().__init__(f"claim {claim!r}: {message}{pointer}", file=where, allowed=allowed)
        self.claim = claim


def tokenize(text: str) -> list[Token]:
    """Split a claim into tokens; any character outside the grammar is an error."""
    if len(text) > MAX_CLAIM_CHARS:
        raise ClaimError(text[:60] + "…", f"a claim is at most {MAX_CLAIM_CHARS} characters")
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            hint = ""
            if ch in "'\"`":
                hint = "; claims have no strings: write names bare (class=vol_target)"
            elif ch == "_":
                hint = "; names start with a letter"
            elif ch in "[]{};:@!&^~$#\\":
                hint = "; only names, numbers, ( ) , = .. | % + - * / and comparisons are allowed"
            raise ClaimError(text, f"unexpected character {ch!r}{hint}", pos)
        kind = m.lastgroup
        if kind != "ws":
            tok = m.group()
            if kind == "name" and tok in KEYWORDS:
                kind = "keyword"
            out.append(Token(kind, tok, pos))
        pos = m.end()
    out.append(Token("end", "", len(text)))
    return out


# ----- syntax tree ---------------------------------------------------------------------------
@dataclass
class Node:
    span: tuple[int, int]


@dataclass
class Num(Node):
    value: float


@dataclass
class Name(Node):
    name: str


@dataclass
class Range:
    lo: int | None
    hi: int | None

    def __str__(self) -> str:
        return f"{'' if self.lo is None else self.lo}..{'' if self.hi is None else self.hi}"


@dataclass
class Option:
    key: str
    value: Any       # Range, list[str] (alternatives), float, bool
    pos: int


@dataclass
class Call(Node):
    func: str
    args: list[Node]
    options: dict[str, Option] = field(default_factory=dict)


@dataclass
class Unary(Node):
    op: str           # "-" or "not"
    operand: Node


@dataclass
class Binary(Node):
    op: str           # + - * / < <= > >= == != and or
    left: Node
    right: Node


# ----- parser --------------------------------------------------------------------------------
class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.toks[self.i]

    def next(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def error(self, msg: str, tok: Token | None = None) -> ClaimError:
        t = tok or self.peek()
        return ClaimError(self.text, msg, t.pos)

    def expect(self, text: str) -> Token:
        t = self.peek()
        if t.text != text or t.kind not in ("op", "keyword"):
            got = "the end of the claim" if t.kind == "end" else repr(t.text)
            raise self.error(f"expected {text!r}, found {got}")
        return self.next()

    def at(self, *texts: str) -> bool:
        t = self.peek()
        return t.kind in ("op", "keyword") and t.text in texts

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise ClaimError(self.text, "the claim is empty")
        node = self.or_expr()
        if self.peek().kind != "end":
            raise self.error(f"unexpected {self.peek().text!r} (a claim is one expression; "
                             "join parts with 'and' / 'or')")
        return node

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} levels deep")

    def _left_assoc(self, ops: tuple[str, ...], operand: Callable[[], Node]) -> Node:
        """One precedence level of left-associative binary operators."""
        left = operand()
        while self.at(*ops):
            op = self.next().text
            right = operand()
            left = Binary((left.span[0], right.span[1]), op, left, right)
        return left

    def _prefix(self, op: str, operand: Callable[[], Node], otherwise: Callable[[], Node]) -> Node:
        if self.at(op):
            t = self.next()
            self._enter()
            inner = operand()
            self.depth -= 1
            return Unary((t.pos, inner.span[1]), op, inner)
        return otherwise()

    def or_expr(self) -> Node:
        return self._left_assoc(("or",), self.and_expr)

    def and_expr(self) -> Node:
        return self._left_assoc(("and",), self.not_expr)

    def not_expr(self) -> Node:
        return self._prefix("not", self.not_expr, self.comparison)

    def comparison(self) -> Node:
        left = self.sum()
        if self.peek().kind == "op" and self.peek().text in COMPARATORS:
            op = self.next().text
            right = self.sum()
            if self.peek().kind == "op" and self.peek().text in COMPARATORS:
                raise self.error("chained comparisons are ambiguous: write 'a < x and x < b'")
            return Binary((left.span[0], right.span[1]), op, left, right)
        return left

    def sum(self) -> Node:
        return self._left_assoc(("+", "-"), self.product)

    def product(self) -> Node:
        return self._left_assoc(("*", "/"), self.unary)

    def unary(self) -> Node:
        return self._prefix("-", self.unary, self.atom)

    def atom(self) -> Node:
        t = self.peek()
        if t.kind == "number":
            self.next()
            value = float(t.text)
            end = t.pos + len(t.text)
            if self.at("%"):
                value /= 100.0
                end = self.next().pos + 1
            return Num((t.pos, end), value)
        if t.kind == "name":
            self.next()
            if self.at("("):
                return self.call(t)
            return Name((t.pos, t.pos + len(t.text)), t.text)
        if self.at("("):
            self.next()
            self._enter()
            inner = self.or_expr()
            self.depth -= 1
            close = self.expect(")")
            inner.span = (t.pos, close.pos + 1)
            return inner
        if t.kind == "end":
            raise self.error("the claim ends too early")
        if t.kind == "keyword":
            raise self.error(f"{t.text!r} is a keyword and cannot start a value")
        raise self.error(f"unexpected {t.text!r}")

    def call(self, name: Token) -> Node:
        self.expect("(")
        self._enter()
        args: list[Node] = []
        options: dict[str, Option] = {}
        if not self.at(")"):
            while True:
                t = self.peek()
                if t.kind in ("name", "keyword") and self.toks[self.i + 1].text == "=" \
                        and self.toks[self.i + 1].kind == "op":
                    self.next()
                    self.next()
                    if t.text in options:
                        raise self.error(f"option {t.text!r} given twice", t)
                    options[t.text] = Option(t.text, self.option_value(), t.pos)
                else:
                    if options:
                        raise self.error("positional arguments come before options (key=value)")
                    args.append(self.or_expr())
                if self.at(","):
                    self.next()
                    continue
                break
        close = self.expect(")")
        self.depth -= 1
        return Call((name.pos, close.pos + 1), name.text, args, options)

    def option_value(self) -> Any:
        t = self.peek()
        if self._range_ahead():
            lo = self.day_number() if not self.at("..") else None
            self.expect("..")
            hi = self.day_number() if (self.peek().kind == "number" or self.at("-")) else None
            return Range(lo, hi)
        if t.kind == "number" or self.at("-"):
            sign = 1.0
            if self.at("-"):
                self.next()
                sign = -1.0
            tok = self.next()
            if tok.kind != "number":
                raise self.error("expected a number", tok)
            value = sign * float(tok.text)
            if self.at("%"):
                self.next()
                value /= 100.0
            return value
        if t.kind == "keyword" and t.text in ("true", "false"):
            self.next()
            return t.text == "true"
        if t.kind == "name":
            names = [self.next().text]
            while self.at("|"):
                self.next()
                tok = self.next()
                if tok.kind != "name":
                    raise self.error("expected a name after '|'", tok)
                names.append(tok.text)
            return names
        raise self.error("expected an option value: a day range a..b, a name (or names joined by |), "
                         "a number, true or false")

    def _range_ahead(self) -> bool:
        """Is the next option value a range: [-] [NUMBER] '..' ?"""
        j = self.i
        if self.toks[j].text == "-" and self.toks[j].kind == "op":
            j += 1
        if self.toks[j].kind == "number":
            j += 1
        return self.toks[j].kind == "op" and self.toks[j].text == ".."

    def day_number(self) -> int:
        sign = 1
        if self.at("-"):
            self.next()
            sign = -1
        tok = self.next()
        if tok.kind != "number" or not re.fullmatch(r"\d+", tok.text):
            raise self.error("day and round numbers in a range are whole numbers", tok)
        return sign * int(tok.text)


def parse(text: str) -> Node:
    """Parse a claim into its syntax tree (no names are checked yet)."""
    if not isinstance(text, str):
        raise ClaimError(str(text), "a claim must be text")
    return _Parser(text).parse()


# ----- what a run offers ---------------------------------------------------------------------
@dataclass
class Schema:
    """The names a claim may use: what a run of the narrative's scenario records."""

    columns: list[str]
    assets: list[str]
    classes: list[str]
    flow_assets: list[str]
    metrics: list[str]
    aliases: dict[str, Node] = field(default_factory=dict)
    alias_text: dict[str, str] = field(default_factory=dict)
    days: int | None = None

    @classmethod
    def from_run(cls, result, aliases: Mapping[str, str] | None = None, days: int | None = None) -> "Schema":
        """The schema of a run (a `RunResult`): its columns, assets, metrics and agent classes.
        `days` is the length of the runs claims will be evaluated on (default: this run's)."""
        ts = result.timeseries
        assets = list(result.summary.get("asset_names", []))
        flow_assets = sorted(set(assets) | set(result.flows["asset"].unique()))
        schema = cls(columns=[c for c in ts.columns if c not in ("day", "date")], assets=assets,
                     classes=agent_classes() + ["external"], flow_assets=flow_assets,
                     metrics=sorted(numeric_metrics(result.summary.get("metrics", {}))),
                     days=result.days if days is None else int(days))
        for name, text in (aliases or {}).items():
            schema.add_alias(name, text)
        return schema

    def add_alias(self, name: str, text: str) -> None:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) or name in KEYWORDS:
            raise InputError(f"series name {name!r} must be a plain name (letters, digits, _)",
                             key=f"series.{name}")
        if name in self.columns or name in FUNCTIONS or name in TABLES:
            raise InputError(f"series name {name!r} would hide an existing column or function",
                             key=f"series.{name}")
        node = parse(text)
        # an alias is checked like a claim; it may use earlier aliases
        typ = _Checker(text, self).check(node)
        if typ not in (NUM, SERIES):
            raise ClaimError(text, f"a series alias must be a number or a daily series, not {typ}",
                             where=f"series.{name}")
        self.aliases[name] = node
        self.alias_text[name] = text


# ----- functions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Function:
    """One function of the claim language: its argument types, options, result type and
    what it computes (shown by `interlock stress --functions` and in error messages)."""

    name: str
    args: tuple[str, ...]            # NUM / SERIES / BSERIES / TABLE ("series" also accepts a number)
    options: tuple[str, ...]
    result: str                      # a type, or "same": the type of the argument
    doc: str
    impl: Callable


FLOW_FILTERS = ("class", "asset", "forced", "round", "days")
EVENT_FILTERS = ("kind", "source", "target", "channel", "days")


def _finite(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x[np.isfinite(x)]


def _reduce(fn: Callable[[np.ndarray], float], keep_nan: bool = False) -> Callable:
    """A series' window → one number (`fn` of its defined values; undefined if there are none)."""
    def impl(ctx, window, s):
        x = ctx.window(s, window)
        x = x if keep_nan else _finite(x)
        return fn(x) if x.size else math.nan
    return impl


def _day_of(pick: Callable[[np.ndarray], int]) -> Callable:
    """The day on which `pick` (argmax, argmin) finds the series' defined values' extreme."""
    def impl(ctx, window, s):
        x = ctx.window(s, window)
        d = ctx.window(ctx.days_axis, window)
        ok = np.isfinite(x)
        return float(d[ok][pick(x[ok])]) if ok.any() else math.nan
    return impl


def _mean_where(ctx, window, s, cond):
    x, c = ctx.window(s, window), ctx.window(cond, window)
    ok = np.isfinite(x) & (c == 1.0)
    return float(x[ok].mean()) if ok.any() else math.nan


def _return(ctx, window, s):
    x = ctx.window(s, window)
    return float(x[-1] / x[0] - 1.0) if x.size and x[0] != 0 else math.nan


def _change(ctx, window, s):
    x = ctx.window(s, window)
    return float(x[-1] - x[0]) if x.size else math.nan


def _vol(ctx, window, s):
    x = _finite(ctx.window(s, window))
    if x.size < 3:
        return math.nan
    return float(np.diff(np.log(x)).std(ddof=1) * math.sqrt(ctx.trading_days))


def _corr(ctx, window, a, b):
    x, y = ctx.window(a, window), ctx.window(b, window)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3 or np.std(x[ok]) == 0 or np.std(y[ok]) == 0:
        return math.nan
    return float(np.corrcoef(x[ok], y[ok])[0, 1])


def _r2(ctx, window, a, b):
    c = _corr(ctx, window, a, b)
    return c * c


def _returns(ctx, window, s):
    x = np.asarray(s, dtype=float)
    out = np.full_like(x, math.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[1:] = np.log(x[1:] / x[:-1])
    return out


def _diff(ctx, window, s):
    x = np.asarray(s, dtype=float)
    out = np.full_like(x, math.nan)
    out[1:] = np.diff(x)
    return out


def _cumsum(ctx, window, s):
    return np.nancumsum(np.asarray(s, dtype=float))


def _abs(ctx, window, s):
    return np.abs(s)


def _flow(ctx, window, **filters):
    return ctx.flow_series(filters)


def _sum(ctx, window, s, **filters):
    if isinstance(s, str):
        rows = ctx.table_rows(s, filters, window)
        return float(rows["usd_bn"].sum(skipna=True))
    x = _finite(ctx.window(s, window))
    return float(x.sum())


def _count(ctx, window, s, **filters):
    return float(len(ctx.table_rows(s, filters, window)))


_DAYS = ("days",)

# Every function a claim may call, and nothing else (a claim can name no Python).
FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("start", (SERIES,), _DAYS, NUM, "first value of a series in the window",
             _reduce(lambda x: float(x[0]), keep_nan=True)),
    Function("end", (SERIES,), _DAYS, NUM, "last value of a series in the window",
             _reduce(lambda x: float(x[-1]), keep_nan=True)),
    Function("peak", (SERIES,), _DAYS, NUM, "highest value in the window", _reduce(lambda x: float(x.max()))),
    Function("max", (SERIES,), _DAYS, NUM, "highest value in the window (same as peak)",
             _reduce(lambda x: float(x.max()))),
    Function("trough", (SERIES,), _DAYS, NUM, "lowest value in the window", _reduce(lambda x: float(x.min()))),
    Function("min", (SERIES,), _DAYS, NUM, "lowest value in the window (same as trough)",
             _reduce(lambda x: float(x.min()))),
    Function("mean", (SERIES,), _DAYS, NUM, "average over the window", _reduce(lambda x: float(x.mean()))),
    Function("median", (SERIES,), _DAYS, NUM, "median over the window", _reduce(lambda x: float(np.median(x)))),
    Function("std", (SERIES,), _DAYS, NUM, "standard deviation over the window",
             _reduce(lambda x: float(x.std(ddof=1)) if x.size > 1 else math.nan)),
    Function("fraction_of_days", (BSERIES,), _DAYS, NUM,
             "share of days in the window on which a day-by-day condition holds "
             "(e.g. fraction_of_days(VOL_1M > VOL_3M))", _reduce(lambda x: float(x.mean()))),
    Function("mean_where", (SERIES, BSERIES), _DAYS, NUM,
             "average of a series over the days in the window on which a condition holds: "
             "mean_where(returns(SPX), buyback_open_share < 0.5)", _mean_where),
    Function("day_of_peak", (SERIES,), _DAYS, NUM, "the day on which the series is highest", _day_of(np.argmax)),
    Function("day_of_trough", (SERIES,), _DAYS, NUM, "the day on which the series is lowest", _day_of(np.argmin)),
    Function("max_drawdown", (SERIES,), _DAYS, NUM,
             "largest fall from a running peak within the window, as a share of the peak (0.25 = 25%)",
             _reduce(lambda x: float(np.max(1.0 - x / np.maximum.accumulate(x))))),
    Function("max_rally", (SERIES,), _DAYS, NUM,
             "largest rise from a running low within the window, as a share of the low (0.25 = +25%)",
             _reduce(lambda x: float(np.max(x / np.minimum.accumulate(x) - 1.0)))),
    Function("return", (SERIES,), _DAYS, NUM, "simple return over the window: last / first − 1", _return),
    Function("change", (SERIES,), _DAYS, NUM, "last minus first value in the window", _change),
    Function("vol", (SERIES,), _DAYS, NUM,
             "annualised volatility of daily log returns in the window (√(trading days per year) · s.d.)", _vol),
    Function("corr", (SERIES, SERIES), _DAYS, NUM, "Pearson correlation of two series over the window", _corr),
    Function("r2", (SERIES, SERIES), _DAYS, NUM,
             "share of the variance of the first series explained by a linear fit on the second "
             "(squared correlation): r2(returns(SPX), flow(class=vol_target|cta, asset=SPX))", _r2),
    Function("returns", (SERIES,), (), SERIES, "daily log returns of a price series (undefined on day 0)", _returns),
    Function("diff", (SERIES,), (), SERIES, "day-on-day change of a series (undefined on day 0)", _diff),
    Function("cumsum", (SERIES,), (), SERIES,
             "running total of a daily series (e.g. cumsum(flow(class=cta)))", _cumsum),
    Function("abs", (SERIES,), (), "same", "absolute value of a number, or of a series day by day", _abs),
    Function("flow", (), ("class", "asset", "forced", "round"), SERIES,
             "daily net flow in USD bn (+ buy / − sell) from the flow table, filtered by class, asset "
             "(SPX = index trades), forced=true/false, round", _flow),
    Function("sum", (SERIES,), _DAYS, NUM,
             "total of a daily series over the window, or of a table's usd_bn: "
             "sum(flows, class=…, asset=…, forced=…, round=…, days=…), sum(events, kind=…, source=…, "
             "target=…, channel=…, days=…)", _sum),
    Function("count", (TABLE,), _DAYS, NUM,
             "number of rows of a table matching the filters: count(events, kind=shock), "
             "count(flows, class=cta, forced=true)", _count),
)}


# ----- type checking and name resolution -----------------------------------------------------
def _close(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _listing(items: Iterable[str], limit: int = 60) -> str:
    items = list(items)
    more = f", … ({len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


class _Checker:
    """Resolves names against a schema and infers each node's type; raises ClaimError."""

    def __init__(self, text: str, schema: Schema, where: str | None = None):
        self.text = text
        self.s = schema
        self.where = where

    def err(self, msg: str, node_or_pos, allowed: str | None = None) -> ClaimError:
        pos = node_or_pos if isinstance(node_or_pos, int) else node_or_pos.span[0]
        return ClaimError(self.text, msg, pos, allowed=allowed, where=self.where)

    def check(self, node: Node, table_ok: bool = False) -> str:
        if isinstance(node, Num):
            return NUM
        if isinstance(node, Name):
            return self.name(node, table_ok)
        if isinstance(node, Unary):
            t = self.check(node.operand)
            if node.op == "not":
                if t not in (BOOL, BSERIES):
                    raise self.err(f"'not' needs a condition, got a {t}", node)
                return t
            if t not in (NUM, SERIES):
                raise self.err(f"'-' needs a number or series, got a {t}", node)
            return t
        if isinstance(node, Binary):
            lt, rt = self.check(node.left), self.check(node.right)
            if node.op in ("and", "or"):
                for t, side in ((lt, node.left), (rt, node.right)):
                    if t not in (BOOL, BSERIES):
                        raise self.err(f"'{node.op}' joins conditions (comparisons), but this is a {t}", side)
                return BSERIES if BSERIES in (lt, rt) else BOOL
            for t, side in ((lt, node.left), (rt, node.right)):
                if t not in (NUM, SERIES):
                    raise self.err(f"'{node.op}' needs numbers or series, got a {t}", side)
            series = SERIES in (lt, rt)
            if node.op in COMPARATORS:
                return BSERIES if series else BOOL
            return SERIES if series else NUM
        if isinstance(node, Call):
            return self.call(node)
        raise self.err("unsupported expression", node)

    def name(self, node: Name, table_ok: bool) -> str:
        n = node.name
        if n in self.s.aliases:
            node.kind = "alias"
            return self.check(self.s.aliases[n])
        if n in self.s.columns:
            node.kind = "column"
            return SERIES
        if n in TABLES:
            if not table_ok:
                raise self.err(f"the {n} table can only be summed or counted: sum({n}, …), count({n}, …)", node)
            node.kind = "table"
            return TABLE
        if n in self.s.metrics:
            node.kind = "metric"
            return NUM
        if n in FUNCTIONS:
            raise self.err(f"{n} is a function: write {n}(…)", node)
        known = list(self.s.aliases) + self.s.columns + self.s.metrics
        raise self.err(f"unknown name {n!r}{_close(n, known)}", node,
                       allowed=f"assets: {_listing(self.s.assets)}; series: "
                               f"{_listing([c for c in self.s.columns if c not in self.s.assets])}; "
                               f"metrics: {_listing(self.s.metrics)}; tables: flows, events; "
                               f"aliases: {_listing(self.s.aliases) or 'none'}")

    def call(self, node: Call) -> str:
        fn = FUNCTIONS.get(node.func)
        if fn is None:
            raise self.err(f"unknown function {node.func!r}{_close(node.func, FUNCTIONS)}", node,
                           allowed=", ".join(sorted(FUNCTIONS)))
        node.fn = fn
        table_call = node.func in ("sum", "count") and node.args and isinstance(node.args[0], Name) \
            and node.args[0].name in TABLES
        if node.func == "count" and not table_call:
            raise self.err("count() counts rows of a table: count(flows, …) or count(events, …)", node)
        if len(node.args) != len(fn.args):
            want = ", ".join(fn.args) if fn.args else "no positional arguments"
            raise self.err(f"{node.func}() takes {len(fn.args)} argument(s) ({want}), got {len(node.args)}",
                           node)
        arg_types = [TABLE]
        if table_call:
            table = node.args[0].name
            node.args[0].kind = "table"
            allowed = FLOW_FILTERS if table == "flows" else EVENT_FILTERS
        else:
            allowed = fn.options
            arg_types = []
            for a, want in zip(node.args, fn.args):
                t = self.check(a)
                arg_types.append(t)
                if want == BSERIES and t != BSERIES:
                    raise self.err(f"{node.func}() needs a day-by-day condition here, such as "
                                   f"VOL_1M > VOL_3M, got a {t}", a)
                if want == SERIES and t not in (SERIES, NUM):
                    raise self.err(f"{node.func}() needs a series here, got a {t}", a)
        for key, opt in node.options.items():
            if key not in allowed:
                raise self.err(f"{node.func}() has no option {key!r}", opt.pos,
                               allowed=", ".join(allowed) or "no options")
            self.option(node, opt, table_call)
        return arg_types[0] if fn.result == "same" else fn.result

    def option(self, call: Call, opt: Option, table_call: bool) -> None:
        v = opt.value
        if opt.key == "days":
            if not isinstance(v, Range):
                raise self.err("days takes a range a..b (either end may be left out)", opt.pos)
            if v.lo is not None and v.hi is not None and (v.lo >= 0) == (v.hi >= 0) and v.lo > v.hi:
                raise self.err(f"days={v} is empty: the first day comes after the last", opt.pos)
            if self.s.days is not None:
                for d in (v.lo, v.hi):
                    if d is not None and abs(d) > self.s.days:
                        raise self.err(f"days={v} reaches beyond the {self.s.days}-day run", opt.pos,
                                       allowed=f"0..{self.s.days}")
        elif opt.key == "class":
            self._names(opt, self.s.classes, "agent class")
        elif opt.key == "asset":
            self._names(opt, self.s.flow_assets, "asset")
        elif opt.key == "forced":
            if not isinstance(v, bool):
                raise self.err("forced takes true or false", opt.pos)
        elif opt.key == "round":
            if isinstance(v, Range):
                if (v.lo is not None and v.lo < 0) or (v.hi is not None and v.hi < 0):
                    raise self.err("round numbers are ≥ 0", opt.pos)
            elif not (isinstance(v, float) and v >= 0 and v.is_integer()):
                raise self.err("round takes a whole number ≥ 0 or a range a..b", opt.pos)
        else:   # event filters: free-form names (kinds and channels are open-ended)
            if not isinstance(v, list):
                raise self.err(f"{opt.key} takes a name (or names joined by |)", opt.pos)

    def _names(self, opt: Option, known: list[str], what: str) -> None:
        if not isinstance(opt.value, list):
            raise self.err(f"{opt.key} takes a name (or names joined by |)", opt.pos)
        for n in opt.value:
            if n not in known:
                raise self.err(f"unknown {what} {n!r}{_close(n, known)}", opt.pos, allowed=", ".join(known))


# ----- evaluation ----------------------------------------------------------------------------
class RunView:
    """What claims are evaluated on: one run's tables and metrics (a summary's nested `metrics`,
    named by `experiments.metrics.flat_metrics`), with cached derived series. `trading_days` per
    year annualise `vol` (default: the parameter `run.trading_days_per_year`)."""

    def __init__(self, timeseries: pd.DataFrame, flows: pd.DataFrame, events: pd.DataFrame,
                 metrics: Mapping[str, Any], trading_days: float | None = None):
        self.ts = timeseries
        self.flows = flows
        self.events = events
        self.metrics = numeric_metrics(metrics)
        self.trading_days = float(Params.defaults()["run.trading_days_per_year"] if trading_days is None
                                  else trading_days)
        self.days_axis = timeseries["day"].to_numpy(dtype=float)
        self.n_days = int(self.days_axis[-1]) if len(self.days_axis) else 0
        self._cols: dict[str, np.ndarray] = {}
        self._flow_cache: dict[tuple, np.ndarray] = {}

    @classmethod
    def of(cls, result) -> "RunView":
        return cls(result.timeseries, result.flows, result.events, result.summary.get("metrics", {}),
                   trading_days=result.params.get("run.trading_days_per_year"))

    def column(self, name: str) -> np.ndarray:
        """A time-series column; all-undefined when this run does not record it (its agent
        class was switched off)."""
        if name not in self._cols:
            self._cols[name] = (self.ts[name].to_numpy(dtype=float) if name in self.ts.columns
                                else np.full(self.days_axis.shape, math.nan))
        return self._cols[name]

    def bounds(self, window: Range | None) -> tuple[int, int]:
        if window is None:
            return 0, self.n_days
        lo = 0 if window.lo is None else window.lo
        hi = self.n_days if window.hi is None else window.hi
        lo = lo + self.n_days if lo < 0 else lo
        hi = hi + self.n_days if hi < 0 else hi
        return lo, min(hi, self.n_days)

    def window(self, s, window: Range | None) -> np.ndarray:
        x = np.asarray(s, dtype=float)
        if x.ndim == 0:
            x = np.full(self.days_axis.shape, float(x))
        lo, hi = self.bounds(window)
        sel = (self.days_axis >= lo) & (self.days_axis <= hi)
        return x[sel]

    def table_rows(self, table: str, filters: Mapping[str, Any], window: Range | None) -> pd.DataFrame:
        df = self.flows if table == "flows" else self.events
        mask = np.ones(len(df), dtype=bool)
        key_col = {"class": "agent_class"}
        for key, v in filters.items():
            col = key_col.get(key, key)
            if key == "forced":
                mask &= df["forced"].to_numpy() == v
            elif key == "round":
                r = df["round"].to_numpy()
                if isinstance(v, Range):
                    lo = 0 if v.lo is None else v.lo
                    hi = np.iinfo(np.int32).max if v.hi is None else v.hi
                    mask &= (r >= lo) & (r <= hi)
                else:
                    mask &= r == int(v)
            else:
                mask &= df[col].isin(v).to_numpy()
        if window is not None:
            lo, hi = self.bounds(window)
            d = df["day"].to_numpy()
            mask &= (d >= lo) & (d <= hi)
        return df[mask]

    def flow_series(self, filters: Mapping[str, Any]) -> np.ndarray:
        key = tuple(sorted((k, str(v)) for k, v in filters.items()))
        if key not in self._flow_cache:
            rows = self.table_rows("flows", filters, None)
            daily = rows.groupby("day")["usd_bn"].sum()
            out = np.zeros(self.days_axis.shape)
            idx = daily.index.to_numpy().astype(int)
            ok = idx <= self.n_days
            out[idx[ok]] = daily.to_numpy()[ok]
            self._flow_cache[key] = out
        return self._flow_cache[key]


@dataclass
class Term:
    """One comparison inside a claim, with its source text (reported with its values per run)."""

    text: str
    node: Binary


class Claim:
    """A parsed, checked claim. `evaluate(run)` → True / False / None (undefined), and
    `terms(run)` gives the value of both sides of every comparison."""

    def __init__(self, text: str, schema: Schema, name: str = "", where: str | None = None):
        self.text = text.strip()
        self.name = name or self.text
        self.schema = schema
        self.tree = parse(self.text)
        typ = _Checker(self.text, schema, where).check(self.tree)
        if typ != BOOL:
            hint = ""
            if typ == BSERIES:
                hint = " — it compares daily series; reduce them first, e.g. peak(VOL_1M) > 0.3, " \
                       "or count days with fraction_of_days(…)"
            elif typ in (NUM, SERIES):
                hint = " — compare it with something, e.g. … > 0"
            raise ClaimError(self.text, f"a claim must be a true/false statement, this is a {typ}{hint}",
                             where=where)
        self.comparisons: list[Term] = []
        self._collect(self.tree)

    def _collect(self, node: Node) -> None:
        if isinstance(node, Binary) and node.op in COMPARATORS:
            self.comparisons.append(Term(self.text[node.span[0]:node.span[1]], node))
        elif isinstance(node, Binary) and node.op in ("and", "or"):
            self._collect(node.left)
            self._collect(node.right)
        elif isinstance(node, Unary) and node.op == "not":
            self._collect(node.operand)

    def names(self) -> list[str]:
        """Time-series columns the claim reads (the natural series to chart)."""
        out: dict[str, None] = {}

        def walk(n: Node) -> None:
            if isinstance(n, Name) and getattr(n, "kind", "") == "column":
                out[n.name] = None
            elif isinstance(n, Name) and getattr(n, "kind", "") == "alias":
                walk(self.schema.aliases[n.name])
            elif isinstance(n, Unary):
                walk(n.operand)
            elif isinstance(n, Binary):
                walk(n.left)
                walk(n.right)
            elif isinstance(n, Call):
                for a in n.args:
                    walk(a)
        walk(self.tree)
        return list(out)

    def evaluate(self, run) -> bool | None:
        view = run if isinstance(run, RunView) else RunView.of(run)
        v = _Evaluator(view, self.schema).eval(self.tree)
        return None if v is None else bool(v)

    def terms(self, run) -> list[tuple[float, float]]:
        """(left, right) values of every comparison, in the order of `comparisons`."""
        view = run if isinstance(run, RunView) else RunView.of(run)
        ev = _Evaluator(view, self.schema)
        return [(ev.number(t.node.left), ev.number(t.node.right)) for t in self.comparisons]

    def __repr__(self) -> str:
        return f"Claim({self.text!r})"


class _Evaluator:
    def __init__(self, view: RunView, schema: Schema):
        self.v = view
        self.s = schema

    def number(self, node: Node) -> float:
        x = self.eval(node)
        return float(x) if np.ndim(x) == 0 and x is not None else math.nan

    def eval(self, node: Node):
        """Numbers → float, series → ndarray, conditions → bool / None (undefined), daily conditions
        → float arrays coded 1 / 0 / NaN (undefined)."""
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Name):
            kind = getattr(node, "kind", "")
            if kind == "alias":
                return self.eval(self.s.aliases[node.name])
            if kind == "column":
                return self.v.column(node.name)
            if kind == "table":
                return node.name
            return self.v.metrics.get(node.name, math.nan)
        if isinstance(node, Unary):
            x = self.eval(node.operand)
            if node.op == "-":
                return -x
            if isinstance(x, np.ndarray):
                return 1.0 - x                   # daily condition: 1 / 0 / NaN (undefined)
            return None if x is None else (not x)
        if isinstance(node, Binary):
            op = node.op
            if op in ("and", "or"):
                a = self.eval(node.left)
                b = self.eval(node.right)
                if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                    return _kleene_days(op, a, b)
                return _kleene(op, a, b)
            a = self.eval(node.left)
            b = self.eval(node.right)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                if op in COMPARATORS:
                    if np.ndim(a) == 0 and np.ndim(b) == 0:
                        if not (math.isfinite(a) and math.isfinite(b)):
                            return None
                        return bool(_COMPARE[op](a, b))
                    # a daily condition: 1 / 0, undefined (NaN) where either side is
                    undefined = np.isnan(a) | np.isnan(b)
                    return np.where(undefined, math.nan, _COMPARE[op](a, b).astype(float))
                if op == "/" and np.ndim(b) == 0 and b == 0:
                    return math.nan if np.ndim(a) == 0 else np.full(np.shape(a), math.nan)
                return _ARITH[op](a, b)
        if isinstance(node, Call):
            fn: Function = node.fn
            opts = {k: o.value for k, o in node.options.items()}
            window = opts.pop("days", None)
            args = [self.eval(a) for a in node.args]
            return fn.impl(self.v, window, *args, **opts)
        raise TypeError(node)


def _kleene(op: str, a, b):
    if op == "and":
        if a is False or b is False:
            return False
        return None if a is None or b is None else True
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _kleene_days(op: str, a, b) -> np.ndarray:
    """Three-valued and/or day by day on conditions coded 1 / 0 / NaN."""
    a = np.asarray(_as_code(a), dtype=float)
    b = np.asarray(_as_code(b), dtype=float)
    decided = 0.0 if op == "and" else 1.0
    out = np.where(np.isnan(a) | np.isnan(b), math.nan, 1.0 - decided)
    return np.where((a == decided) | (b == decided), decided, out)


def _as_code(x):
    if x is None:
        return math.nan
    return float(x) if isinstance(x, bool) else x


_COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
            "==": np.equal, "!=": np.not_equal}
_ARITH = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


def compile_claim(text: str, schema: Schema, name: str = "", where: str | None = None) -> Claim:
    """Parse and check a claim against `schema`; raises ClaimError (an InputError) naming the claim."""
    return Claim(text, schema, name=name, where=where)


def function_reference() -> str:
    """The claim functions, one line each (for docs and `--functions`)."""
    lines = []
    for f in sorted(FUNCTIONS.values(), key=lambda f: f.name):
        args = ", ".join({SERIES: "S", BSERIES: "condition"}.get(a, a) for a in f.args)
        opts = ", ".join(f"{o}=…" for o in f.options)
        sig = ", ".join(x for x in (args, opts) if x)
        result = "number or series (as its argument)" if f.result == "same" else f.result
        lines.append(f"{f.name}({sig}) → {result}: {f.doc}")
    return "\n".join(lines)
