"""Check and ingest a file given as bytes (an upload), under its own name.

The loaders read files and name them in every message, so an upload is written to a
private temporary folder under its file name (cleaned: no folders, no odd characters)
and read from there; the folder is removed afterwards.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from loaders.pipeline import LoadResult, load_kind
from loaders.problems import Problem
from loaders.store.base import IngestSummary, ProgressCallback, Store
from loaders.store.records import spec_of

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def clean_file_name(name: str) -> str:
    """Return an uploaded file's name without folders or characters a file system dislikes."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    return cleaned or "upload"


@contextlib.contextmanager
def staged_file(name: str, data: bytes) -> Iterator[Path]:
    """Write ``data`` to a private temporary folder as ``name``; remove it afterwards."""
    with tempfile.TemporaryDirectory(prefix="safetymap-upload-") as folder:
        path = Path(folder) / clean_file_name(name)
        path.write_bytes(data)
        yield path


def validate_upload(
    kind: str, name: str, data: bytes, *, header_map: dict[str, str] | None = None
) -> LoadResult:
    """Return what the loaders make of an uploaded file of ``kind``."""
    spec = spec_of(kind)
    with staged_file(name, data) as path:
        return load_kind(spec, [path], header_map=header_map)


def ingest_upload(
    store: Store,
    kind: str,
    name: str,
    data: bytes,
    *,
    header_map: dict[str, str] | None = None,
    progress: ProgressCallback | None = None,
    user: str = "",
) -> IngestSummary:
    """Ingest an uploaded file of ``kind`` into ``store`` (see :meth:`Store.ingest`)."""
    with staged_file(name, data) as path:
        return store.ingest(kind, [path], header_map=header_map, progress=progress, user=user)


def problem_table(problems: Sequence[Problem]) -> pd.DataFrame:
    """Return problems as a table: File, Row, Field, Expected, Found."""
    return pd.DataFrame(
        {
            "File": pd.Series([p.file for p in problems], dtype=object),
            "Row": pd.Series([p.row for p in problems], dtype="Int64"),
            "Field": pd.Series([p.field for p in problems], dtype=object),
            "Expected": pd.Series([p.expected for p in problems], dtype=object),
            "Found": pd.Series([p.found for p in problems], dtype=object),
        }
    )
