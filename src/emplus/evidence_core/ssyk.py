"""SSYK 2012 occupation codes: format, and the names of their major and sub-major groups (pure).

A code is one to four digits ("yrkesområde" 1 digit, "huvudgrupp" 2, "yrkesgrupp" 3, "yrke" 4)
and must fall in a known sub-major group (`data/ssyk2012_groups.csv`, see SOURCES.md).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["SsykError", "SsykGroups", "ssyk_clean", "ssyk_groups", "ssyk_options"]

_FORMAT = re.compile(r"[0-9]{1,4}")


class SsykError(ValueError):
    """`kind` is "format" (not one to four digits) or "unknown" (no such group)."""

    def __init__(self, kind: str, code: str) -> None:
        super().__init__(f"{kind}: {code!r}")
        self.kind = kind
        self.code = code


@dataclass(frozen=True)
class SsykGroups:
    code: str
    major: str  # the one-digit group's name
    sub_major: str  # the two-digit group's name, "" for a one-digit code


@cache
def _names() -> dict[str, str]:
    text = (
        resources.files("emplus.evidence_core")
        .joinpath("data", "ssyk2012_groups.csv")
        .read_text(encoding="utf-8")
    )
    return {row["code"]: row["name"] for row in csv.DictReader(text.splitlines())}


def ssyk_clean(value: str) -> str:
    """The code without spaces, or SsykError when it is not one to four digits of a known
    major and sub-major group."""
    code = value.replace(" ", "").strip()
    if not _FORMAT.fullmatch(code):
        raise SsykError("format", value)
    group = code[:2] if len(code) > 1 else code
    if group not in _names():
        raise SsykError("unknown", value)
    return code


def ssyk_groups(code: str) -> SsykGroups:
    """The names of a valid code's major and sub-major group."""
    names = _names()
    clean = ssyk_clean(code)
    return SsykGroups(
        code=clean,
        major=names[clean[0]],
        sub_major=names.get(clean[:2], "") if len(clean) > 1 else "",
    )


def ssyk_options(level: int = 2) -> list[tuple[str, str]]:
    """(code, name) of every group of one level, in code order (for choices and help)."""
    return sorted((c, n) for c, n in _names().items() if len(c) == level)
