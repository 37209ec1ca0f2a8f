"""Frames kept between requests on this machine: the rows in an Arrow IPC file of their own,
what they were checked against in the kept results' cache (decisions 51 and 65).

The file cache pickles and compresses a value with zlib, which for a frame of 100 000 rows
costs more than reading the rows again; an IPC file is written as it lies in memory and read
by mapping it. Each keep writes a new file under a new name and then points the cache entry
at it, so a reader never sees half a file; emptying the cache forgets every kept frame."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.cache import caches

from emplus.core.kept import KEPT_CACHE

# As the kept reports (decision 45): a frame nobody asks for is forgotten after a day.
KEPT_SECONDS = 24 * 3600


def frame_directory() -> Path:
    return Path(settings.VAR_DIR) / "frames"


def frame_kept(name: str) -> tuple[pl.DataFrame, dict[str, Any]] | None:
    """The frame kept under `name` and the facts kept with it, or None."""
    entry = caches[KEPT_CACHE].get(_key(name))
    if not isinstance(entry, dict):
        return None
    try:
        frame = pl.read_ipc(frame_directory() / entry["file"])
    except (FileNotFoundError, OSError):  # swept, or another process's file meanwhile replaced
        return None
    return frame, entry["facts"]


def frame_keep(name: str, frame: pl.DataFrame, facts: dict[str, Any]) -> None:
    """Keep `frame` under `name` with `facts` (picklable), replacing what was kept."""
    directory = frame_directory()
    directory.mkdir(parents=True, exist_ok=True)
    file = f"{uuid.uuid4().hex}.arrow"
    partial = directory / f".{file}.partial"
    frame.write_ipc(partial, compression="uncompressed")
    os.replace(partial, directory / file)
    cache = caches[KEPT_CACHE]
    previous = cache.get(_key(name))
    cache.set(_key(name), {"file": file, "facts": facts}, KEPT_SECONDS)
    if isinstance(previous, dict) and previous.get("file") != file:
        # A reader that has the old entry and not yet the file reads the rows again.
        with contextlib.suppress(OSError):
            (directory / previous["file"]).unlink()
    _sweep(directory)


def _sweep(directory: Path) -> None:
    """Remove files older than a kept frame lives (left by a race or an emptied cache)."""
    oldest = time.time() - KEPT_SECONDS
    for path in directory.iterdir():
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < oldest:
                path.unlink()


def _key(name: str) -> str:
    return f"kept-frame:{name}"
