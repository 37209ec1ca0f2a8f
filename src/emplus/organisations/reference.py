"""The partner register shipped with the platform, read from package data (no Django import).

`emplus load-reference-data` loads it into the organisation table; the command-line file tools
check organisation codes against it when there is no database.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class PartnerRecord:
    code: str
    name: str
    name_en: str
    sector: str
    kind: str


@cache
def partners() -> tuple[PartnerRecord, ...]:
    """The nine partner organisations of EMPLOYMENT+, in the file's order."""
    text = (
        resources.files("emplus.organisations")
        .joinpath("data", "partners.csv")
        .read_text(encoding="utf-8")
    )
    return tuple(
        PartnerRecord(
            code=r["code"],
            name=r["name"],
            name_en=r["name_en"],
            sector=r["sector"],
            kind=r["kind"],
        )
        for r in csv.DictReader(text.splitlines())
    )


def register_aliases(rows: list[tuple[str, str, str]]) -> dict[str, str]:
    """Accepted spellings (code, Swedish or English name; any case) → code.

    `rows` are (code, name, name_en). A code wins over another organisation's identical name.
    """
    aliases: dict[str, str] = {}
    for code, *names in rows:
        for name in names:
            if name and name.strip():
                aliases[name.strip().lower()] = code
    for code, *_ in rows:
        aliases[code.strip().lower()] = code
    return aliases


def partner_aliases() -> dict[str, str]:
    return register_aliases([(p.code, p.name, p.name_en) for p in partners()])
