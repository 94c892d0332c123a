"""Interactive HTML reports that open offline: one self-contained `report.html` with the Vega,
Vega-Lite and vega-embed JavaScript embedded in the page, so nothing is fetched when it is viewed.

The scripts come from the `solara-assets` package (a dependency: the app serves the same files),
which ships Vega 5, Vega-Lite 5.2 and vega-embed 6 as data files. Altair's own `save(inline=True)`
would need `vl-convert-python` or `altair_viewer` for the same scripts, and Altair 6 writes
Vega-Lite 6 specs; the charts here are Vega-Lite 5 specs (`viz.compare`).

`page(title, blocks)` builds the page from blocks — `("h2", text)`, `("p", text)`, `("html", raw)`,
`("table", DataFrame)`, `("chart", spec)` — and `write_page(path, ...)` writes it atomically.
"""

from __future__ import annotations

import html
import importlib.metadata as md
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from ..io import atomic_write

SCRIPTS = ("vega@5", "vega-lite@5", "vega-embed@6")
FILES = {"vega@5": "/build/vega.min.js", "vega-lite@5": "/build/vega-lite.min.js",
         "vega-embed@6": "/build/vega-embed.min.js"}

CSS = """body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:1.5em auto;max-width:1100px;
padding:0 1em;color:#222}h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:0.85em;margin:0.6em 0}th,td{border:1px solid #ddd;padding:3px 7px;
text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.chart{width:100%;margin:0.8em 0}.note{color:#555;font-size:0.9em}"""


# where solara-assets' wheel puts its files, relative to site-packages (its RECORD says so)
CDN_DIR = "../../../share/solara/cdn"


def _script_files() -> list[Path]:
    """The three scripts' files in solara-assets, in SCRIPTS order (RuntimeError naming what is
    missing). Looked up in its cdn folder first; listing the package's 3,000 files (its RECORD)
    costs more than the rest of the report."""
    try:
        dist = md.distribution("solara-assets")
    except md.PackageNotFoundError:
        raise RuntimeError("the solara-assets package is not installed: report.html needs its Vega "
                           "scripts (pip install solara-assets)") from None
    cdn = Path(dist.locate_file(CDN_DIR))
    found = [sorted(cdn.glob(f"{name}*{FILES[name]}"), key=str) if cdn.is_dir() else [] for name in SCRIPTS]
    if all(found):
        return [hits[-1] for hits in found]
    files = dist.files or []
    out = []
    for name in SCRIPTS:
        hits = sorted((f for f in files if str(f).endswith(FILES[name]) and f"/{name}" in str(f)
                       and "build-es5" not in str(f)), key=str)
        if not hits:
            raise RuntimeError(f"solara-assets has no {name}{FILES[name]}: report.html cannot embed it")
        out.append(Path(hits[-1].locate()))
    return out


@lru_cache(maxsize=1)
def vega_scripts() -> str:
    """The three scripts' text, from solara-assets' files (raises RuntimeError naming what is
    missing: the report would not draw offline without them)."""
    out = [p.read_text(encoding="utf-8") for p in _script_files()]
    safe = [s.replace("</script", "<\\/script") for s in out]
    return "\n".join("<script>" + s + "</script>" for s in safe)


def table_html(frame: pd.DataFrame, digits: int = 2) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "–" if v != v else f"{v:,.{digits}f}"
        return html.escape(str(v))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>"
                   for r in frame.itertuples(index=False, name=None))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def page(title: str, blocks: Iterable[tuple[str, Any]]) -> str:
    """The report's HTML text."""
    body, charts = [], []
    for kind, value in blocks:
        if kind in ("h2", "h3", "p"):
            body.append(f"<{kind}>{html.escape(str(value))}</{kind}>")
        elif kind == "note":
            body.append(f"<p class='note'>{html.escape(str(value))}</p>")
        elif kind == "html":
            body.append(str(value))
        elif kind == "table":
            body.append(table_html(value))
        elif kind == "chart":
            i = len(charts)
            charts.append(value)
            body.append(f"<div class='chart' id='chart{i}'></div>")
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    specs = json.dumps(charts, allow_nan=False).replace("</", "<\\/")
    embed = ("<script>const SPECS=" + specs + ";SPECS.forEach((s,i)=>vegaEmbed('#chart'+i,s,"
             "{actions:{export:true,source:false,compiled:false,editor:false}}).catch(e=>{"
             "document.getElementById('chart'+i).textContent='chart failed: '+e;}));</script>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{CSS}</style>{vega_scripts()}</head><body>"
            f"<h1>{html.escape(title)}</h1>" + "\n".join(body) + embed + "</body></html>")


def write_page(path: str | Path, title: str, blocks: Iterable[tuple[str, Any]]) -> Path:
    """Write `page(title, blocks)` to `path` atomically; returns the path."""
    path = Path(path)
    text = page(title, blocks)
    atomic_write(path, lambda t: t.write_text(text, encoding="utf-8"))
    return path
