"""Small-cell suppression: small counts are hidden and cannot be recovered from what is shown."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space

from emplus.core.suppression import suppress_cells, suppress_rows


def row_of(parts: list[int]) -> list[int]:
    return [sum(parts), *parts]


def test_counts_below_the_threshold_are_hidden_and_zero_is_shown():
    # given a row total=13: woman 10, man 3, non_binary 0
    # when
    [shown] = suppress_rows([row_of([10, 3, 0])], threshold=5)
    # then man (3) is hidden; woman is hidden too, else 13 - 10 - 0 reveals it; zero stays
    assert shown == [13, None, None, 0]


def test_a_small_total_hides_the_row():
    [shown] = suppress_rows([row_of([2, 1, 0])])
    assert shown == [None, None, None, 0]


def test_the_threshold_itself_is_shown():
    [shown] = suppress_rows([row_of([5, 5, 0])], threshold=5)
    assert shown == [10, 5, 5, 0]


def test_complement_prefers_a_part_to_the_total():
    [shown] = suppress_rows([row_of([20, 30, 4])])
    assert shown[0] == 54
    assert shown[3] is None
    assert shown[1] is None  # the smaller of the other parts
    assert shown[2] == 30


def test_a_threshold_of_eight_hides_seven():
    [shown] = suppress_rows([[7, 7, 0, 0]], threshold=8)
    assert shown == [None, None, 0, 0]


def test_threshold_of_one_hides_nothing():
    assert suppress_rows([row_of([1, 2, 3])], threshold=1) == [[6, 1, 2, 3]]


def test_column_relations_are_protected_too():
    # given a 2x2 table with column totals: cell (a, x)=3 is small
    cells = {
        ("t", "x"): 13,
        ("a", "x"): 3,
        ("b", "x"): 10,
        ("t", "y"): 20,
        ("a", "y"): 10,
        ("b", "y"): 10,
    }
    relations = [(("t", "x"), ("a", "x"), ("b", "x")), (("t", "y"), ("a", "y"), ("b", "y"))]
    # when
    shown = suppress_cells(cells, relations)
    # then
    assert shown[("a", "x")] is None
    assert shown[("b", "x")] is None
    assert shown[("t", "y")] == 20


# --- property: nothing hidden can be derived ---------------------------------------------------


def derivable_by_row(rows: list[list[int]], shown: list[list[int | None]]) -> list[tuple[int, int]]:
    """Cells recoverable from one row's shown cells: a row with exactly one hidden cell."""
    leaks = []
    for i, row in enumerate(shown):
        hidden = [j for j, v in enumerate(row) if v is None]
        if len(hidden) == 1:
            j = hidden[0]
            others = sum(v for k, v in enumerate(row) if k not in (0, j))
            value = row[0] - others if j != 0 else others
            assert value == rows[i][j]
            leaks.append((i, j))
    return leaks


rows_strategy = st.lists(
    st.lists(st.integers(0, 12), min_size=1, max_size=4).map(row_of), min_size=1, max_size=12
)


@settings(max_examples=300, deadline=None)
@given(rows=rows_strategy, threshold=st.integers(2, 8))
def test_no_hidden_value_is_derivable_by_row_arithmetic(rows, threshold):
    shown = suppress_rows(rows, threshold=threshold)
    for row, out in zip(rows, shown, strict=True):
        for value, cell in zip(row, out, strict=True):
            if 0 < value < threshold:
                assert cell is None  # every small count is hidden
            if cell is not None:
                assert cell == value  # shown values are unchanged
    assert derivable_by_row(rows, shown) == []


def determined_by_linear_algebra(cells, relations, shown) -> set:
    """Hidden cells fixed by the relations: zero in every null-space vector of the system."""
    hidden = sorted(k for k, v in shown.items() if v is None)
    if not hidden:
        return set()
    index = {k: i for i, k in enumerate(hidden)}
    rows = []
    for rel in relations:
        coeffs = np.zeros(len(hidden))
        for pos, key in enumerate(rel):
            if key in index:
                coeffs[index[key]] += 1 if pos == 0 else -1
        rows.append(coeffs)
    basis = null_space(np.array(rows)) if rows else np.eye(len(hidden))
    return {k for k, i in index.items() if np.all(np.abs(basis[i]) < 1e-9)}


indicator_like = st.lists(
    st.lists(st.integers(0, 15), min_size=3, max_size=3), min_size=4, max_size=4
)


@settings(max_examples=200, deadline=None)
@given(first=indicator_like, threshold=st.integers(2, 6))
def test_rows_and_a_column_partition_leave_nothing_determined(first, threshold):
    # given rows 1..3 partition row 0 (like EECO02 + EECO04 + EECO05 = EECO01), each row
    # total + three genders
    parts = first[1:]
    rows = [[sum(col) for col in zip(*parts, strict=True)]] + parts
    rows = [row_of(r) for r in rows]
    cells = {(i, j): v for i, r in enumerate(rows) for j, v in enumerate(r)}
    relations = [tuple((i, j) for j in range(4)) for i in range(len(rows))]
    relations += [tuple((i, j) for i in range(len(rows))) for j in range(4)]
    # when
    shown = suppress_cells(cells, relations, threshold=threshold)
    # then
    assert all(shown[k] is None for k, v in cells.items() if 0 < v < threshold)
    assert determined_by_linear_algebra(cells, relations, shown) == set()


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_all_zero_table_is_shown(threshold):
    assert suppress_rows([[0, 0, 0, 0]] * 3, threshold=threshold) == [[0, 0, 0, 0]] * 3
