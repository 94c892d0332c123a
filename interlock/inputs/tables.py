"""What the CSV loaders share (`firms`, `deals`): reading a file as a table of text cells, where
every way it can be unreadable is an `InputError` naming the file, and the stamp their caches are
keyed on."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..errors import InputError


def stamp(path: str | Path) -> tuple[int, int]:
    """(mtime_ns, size) of a file: with its path, the key of a loader's cache, so that a file
    edited or replaced within one process is read again. (-1, -1) when it cannot be stat'ed (the
    reader then says why)."""
    try:
        st = os.stat(path)
    except OSError:
        return -1, -1
    return st.st_mtime_ns, st.st_size


def read_text_table(path: str, what: str) -> pd.DataFrame:
    """The CSV file at `path` as text cells (an empty cell is ""; nothing is converted, so the
    loader decides what a number is). `what` names the file in the messages ("firms file")."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} not found", file=path) from None
    except IsADirectoryError:
        raise InputError(f"is a folder, not a {what}", file=path, allowed="a CSV file") from None
    except pd.errors.EmptyDataError:
        raise InputError("empty file: no header line", file=path, allowed=f"a CSV {what} with a header line") from None
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", file=path, allowed=f"a CSV {what}") from None
    except (pd.errors.ParserError, ValueError) as e:
        raise InputError(f"not a readable CSV file: {' '.join(str(e).split())}", file=path) from None
    except OSError as e:
        raise InputError(f"cannot be read ({e.strerror})", file=path) from None
