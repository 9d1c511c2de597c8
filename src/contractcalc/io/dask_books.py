"""Books as Dask DataFrames: the files ``contractcalc stress --backend dask`` reads, lazily and in pieces.

Parquet (a file or a folder of part files), CSV or JSON lines, by extension,
as :func:`contractcalc.io.books.read_table` reads them whole.  Nothing is read
here beyond the metadata: the workers read their partitions.  Needs
``pip install 'contractcalc[dask]'``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contractcalc.errors import InputError
from contractcalc.io.books import file_format

__all__ = ["BLOCK_BYTES", "read_frame"]

#: Bytes per partition of a CSV or JSON lines file (Parquet keeps its row groups).
BLOCK_BYTES = 64 * 1024 * 1024
_INSTALL = "pip install 'contractcalc[dask]'"


def _dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError:
        raise InputError("backend", f"dask needs Dask installed ({_INSTALL})", "dask") from None
    return dd


def read_frame(source: Any, *, field: str, npartitions: int = 4) -> Any:
    """A Dask DataFrame of ``source``: a path, a pandas DataFrame or a dict of columns (then ``npartitions``)."""
    dd = _dask()
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            mode = os.stat(path).st_mode
        except OSError as error:
            raise InputError(field, f"must be a readable file ({error.strerror})", str(source)) from None
        kind = file_format(path, field)
        if stat.S_ISDIR(mode) and kind != "parquet":
            raise InputError(field, "must be a file (a folder only for Parquet part files)", str(source))
        if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
            raise InputError(field, "must be a regular file", str(source))
        try:
            if kind == "parquet":
                return dd.read_parquet(str(path))
            if kind == "csv":
                return dd.read_csv(str(path), blocksize=BLOCK_BYTES)
            return dd.read_json(str(path), lines=True, blocksize=BLOCK_BYTES)
        except (OSError, ValueError) as error:
            reason = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            raise InputError(field, f"must be a readable {kind} file ({reason})", str(source)) from None
    import pandas as pd

    frame = source if isinstance(source, pd.DataFrame) else pd.DataFrame(dict(source)) if isinstance(
        source, Mapping) else None
    if frame is None:
        raise InputError(field, "must be a file, a pandas DataFrame or a dict of columns", type(source).__name__)
    return dd.from_pandas(frame, npartitions=max(1, min(npartitions, len(frame))))
