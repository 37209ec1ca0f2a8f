"""Small-cell suppression for aggregate tables of person counts (pure, no Django).

Primary suppression hides every count from 1 to threshold - 1. Zero is shown: it identifies
nobody, and hiding zeros would blank most tables of a small project (the usual practice of SCB
and Eurostat). Secondary (complementary) suppression then hides further cells so that no hidden
cell can be recovered from the shown cells through the table's additive relations
(`total = part + part + ...`): every relation ends with either none or at least two hidden cells,
and a final exact check (linear algebra over all relations together) adds cells until no hidden
value is determined by the shown ones. Complements are the smallest shown positive parts, so
totals stay visible where possible.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

__all__ = [
    "DEFAULT_THRESHOLD",
    "determined_cells",
    "suppress_cells",
    "suppress_rows",
]

DEFAULT_THRESHOLD = 5

K = TypeVar("K", bound=Hashable)


def suppress_cells(
    cells: Mapping[K, int],
    relations: Iterable[Sequence[K]] = (),
    *,
    threshold: int = DEFAULT_THRESHOLD,
    hidden: Iterable[K] = (),
) -> dict[K, int | None]:
    """Return the cells with hidden ones set to None.

    `relations` lists additive relations, each as `(total_key, part_key, part_key, ...)` meaning
    `cells[total_key] == sum(cells[part_key] ...)`. A threshold of 1 or less hides nothing.
    `hidden` names cells to hide whatever their value (another rule hides them); they are
    protected by complementary cells like the small ones.
    """
    forced = {k for k in hidden if k in cells}
    if threshold <= 1 and not forced:
        return dict(cells)
    rels = [tuple(r) for r in relations]
    hidden = {k for k, v in cells.items() if 0 < v < threshold} | forced
    while True:
        _close_relations(cells, rels, hidden)
        leaked = determined_cells(cells, rels, hidden)
        if not leaked:
            break
        # Hide one more cell sharing a relation with a determined cell, then re-check.
        key = next(iter(sorted(leaked, key=repr)))
        candidates = [c for r in rels if key in r for c in r if c not in hidden]
        if not candidates:  # cannot happen: a determined cell's relation has a shown cell
            hidden.update(cells)
            break
        hidden.add(_cheapest(cells, candidates, rels))
    return {k: (None if k in hidden else v) for k, v in cells.items()}


def suppress_rows(
    rows: Sequence[Sequence[int]], *, threshold: int = DEFAULT_THRESHOLD
) -> list[list[int | None]]:
    """Suppress a table whose rows are `[total, part, part, ...]` with total = sum of parts."""
    cells = {(i, j): v for i, row in enumerate(rows) for j, v in enumerate(row)}
    relations = [tuple((i, j) for j in range(len(row))) for i, row in enumerate(rows) if row]
    out = suppress_cells(cells, relations, threshold=threshold)
    return [[out[(i, j)] for j in range(len(row))] for i, row in enumerate(rows)]


def _close_relations(cells: Mapping[K, int], rels: list[tuple[K, ...]], hidden: set[K]) -> None:
    changed = True
    while changed:
        changed = False
        for rel in rels:
            inside = [c for c in rel if c in hidden]
            if len(inside) == 1:
                shown = [c for c in rel if c not in hidden]
                if shown:
                    hidden.add(_cheapest(cells, shown, rels))
                    changed = True


def _cheapest(cells: Mapping[K, int], candidates: Sequence[K], rels: list[tuple[K, ...]]) -> K:
    # Prefer parts over totals, positive counts over zeros, then the smallest count.
    totals = {r[0] for r in rels}
    return min(candidates, key=lambda c: (c in totals, cells[c] == 0, cells[c], repr(c)))


def determined_cells(
    cells: Mapping[K, int], relations: Iterable[Sequence[K]], hidden: Iterable[K]
) -> set[K]:
    """Hidden cells whose value follows exactly from the shown cells and the relations.

    A hidden cell is determined when its unit vector lies in the row space of the relations
    restricted to the hidden cells (substituting the shown values leaves a linear system in the
    hidden ones).
    """
    hidden_list = sorted(set(hidden), key=repr)
    if not hidden_list:
        return set()
    import numpy as np  # only when cells are hidden: keeps the command line's start-up light

    index = {k: i for i, k in enumerate(hidden_list)}
    rows = []
    for rel in relations:
        coeffs = np.zeros(len(hidden_list))
        for pos, key in enumerate(rel):
            if key in index:
                coeffs[index[key]] += 1.0 if pos == 0 else -1.0
        if coeffs.any():
            rows.append(coeffs)
    if not rows:
        return set()
    matrix = np.array(rows)
    rank = np.linalg.matrix_rank(matrix)
    leaked = set()
    for key, i in index.items():
        unit = np.zeros(len(hidden_list))
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            leaked.add(key)
    return leaked
