"""core.frames: query results into Polars; the one-text read equals the row-by-row one."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from django.db import connection

from emplus.core.frames import sql_frame

pytestmark = pytest.mark.django_db

SCHEMA = {
    "key": pl.String(),
    "text": pl.String(),
    "day": pl.Date(),
    "flag": pl.Boolean(),
    "number": pl.Int64(),
}
# Text that a naive join would break: separators, quotes, line breaks, control characters,
# an empty text (kept as "") and NULL (None).
AWKWARD = ["a,b", 'say "hi"', "two\nlines\r\n", "\x1e\x1f", "", None, "\\", "Ö-å"]


def _values_sql() -> tuple[str, list]:
    rows, params = [], []
    for i, text in enumerate(AWKWARD):
        day = date(2026, 1, 1 + i) if i % 3 else None
        flag = None if i % 4 == 3 else i % 2 == 0
        rows.append("SELECT %s AS c0, %s AS c1, %s AS c2, %s AS c3, %s AS c4")
        params += [f"k{i}", text, day, flag, None if i == 5 else i * 1000]
    return " UNION ALL ".join(rows), params


def _expected() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "key": [f"k{i}" for i in range(len(AWKWARD))],
            "text": AWKWARD,
            "day": [date(2026, 1, 1 + i) if i % 3 else None for i in range(len(AWKWARD))],
            "flag": [None if i % 4 == 3 else i % 2 == 0 for i in range(len(AWKWARD))],
            "number": [None if i == 5 else i * 1000 for i in range(len(AWKWARD))],
        },
        schema=SCHEMA,
    )


@pytest.mark.parametrize("one_text", [False, True])
def test_every_value_arrives_as_stored_whichever_way_it_is_read(one_text):
    # given
    sql, params = _values_sql()
    # when
    frame = sql_frame(sql, params, SCHEMA, one_text=one_text)
    # then: the same values, types and NULLs (the one text keeps no order)
    assert frame.sort("key").equals(_expected())


def test_a_one_text_read_of_nothing_is_an_empty_frame_with_the_schema():
    # given
    sql, params = _values_sql()
    # when
    nothing = f"SELECT * FROM ({sql}) AS x WHERE 1 = 0"  # noqa: S608 - the test's own SQL
    frame = sql_frame(nothing, params, SCHEMA, one_text=True)
    # then
    assert frame.height == 0
    assert dict(frame.schema) == SCHEMA


def test_a_one_text_read_keeps_rows_whose_only_column_is_null():
    # given: one column, NULL in some rows (a line of its own would be empty)
    sql = "SELECT NULL AS c0 UNION ALL SELECT 'x' UNION ALL SELECT NULL"
    # when
    frame = sql_frame(sql, [], {"only": pl.String()}, one_text=True)
    # then
    assert frame.height == 3
    assert sorted(frame["only"].to_list(), key=str) == [None, None, "x"]


def test_on_postgresql_a_one_text_read_is_one_query_without_copy(django_assert_num_queries):
    # given
    if connection.vendor != "postgresql":
        pytest.skip("SQLite reads the driver's rows in batches either way")
    sql, params = _values_sql()
    # when
    with django_assert_num_queries(1) as captured:
        sql_frame(sql, params, SCHEMA, one_text=True)
    # then: the rows are joined in the query
    (query,) = captured.captured_queries
    assert "string_agg" in query["sql"]
    assert "COPY" not in query["sql"]
