"""Reading tables and turning columns into model arrays: formats, treatment words, missing rows."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emplus.evidence_core.effects import EffectInputError, estimate_effect, read_table
from emplus.evidence_core.effects.table import FALSE_WORDS, TRUE_WORDS, _is_utf8, prepare
from emplus.evidence_core.testing.effects import COVARIATES, generate_effect_data


@pytest.fixture
def small():
    return generate_effect_data(400, treated_share=0.3, seed=1).frame


def test_reads_csv_semicolon_csv_with_decimal_comma_xlsx_and_parquet(tmp_path, small):
    # given the same table in four files
    small.write_csv(tmp_path / "comma.csv")
    small.write_parquet(tmp_path / "table.parquet")
    small.write_excel(tmp_path / "table.xlsx")
    semicolon = small.with_columns(
        pl.col("earnings").cast(pl.String).str.replace(".", ",", literal=True)
    ).write_csv(separator=";")
    (tmp_path / "semi.csv").write_text(semicolon, encoding="cp1252")
    # when each is read and estimated
    results = []
    for name in ("comma.csv", "semi.csv", "table.xlsx", "table.parquet"):
        frame = read_table(tmp_path / name)
        assert frame.height == small.height
        result = estimate_effect(
            frame, treatment="participant", outcome="earnings", covariates=COVARIATES
        )
        results.append(result.estimate)
    # then all give the same number
    assert results == pytest.approx([results[0]] * 4, rel=1e-9)


@pytest.mark.parametrize("encoding", ["ascii", "utf-8", "cp1252"])
def test_a_csv_read_with_the_columns_used_has_those_columns_as_a_full_read_does(
    tmp_path, small, encoding
):
    # given a CSV with more columns than the estimate uses, its text in ASCII, in UTF-8 with
    # non-ASCII letters, or in cp1252 (Swedish Excel)
    table = small.with_columns(
        region=pl.col("region") + ("" if encoding == "ascii" else " Malmö"),
        note=pl.lit("ignored"),
    )
    path = tmp_path / "table.csv"
    path.write_text(table.write_csv(), encoding=encoding)
    wanted = ["participant", "earnings", "region", "age", "region"]
    # when it is read with the columns named (one twice) and in full
    part = read_table(path, columns=wanted)
    full = read_table(path)
    # then the partial read has the named columns alone, each once, with the same values
    assert part.columns == ["participant", "earnings", "region", "age"]
    assert full.width == table.width
    assert part.equals(full.select(part.columns))
    assert part.get_column("region").str.ends_with(" Malmö").all() == (encoding != "ascii")


def test_a_csv_lacking_a_named_column_is_read_whole_so_the_error_lists_its_columns(tmp_path, small):
    path = tmp_path / "table.csv"
    small.write_csv(path)
    frame = read_table(path, columns=["participant", "earnings", "nope"])
    assert frame.columns == small.columns
    with pytest.raises(EffectInputError, match="not in the table: nope; the table has: "):
        estimate_effect(frame, treatment="participant", outcome="earnings", covariates=["nope"])


def test_unreadable_or_unknown_files_are_refused_clearly(tmp_path):
    with pytest.raises(EffectInputError, match="file not found"):
        read_table(tmp_path / "missing.csv")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(EffectInputError, match="unsupported file type"):
        read_table(tmp_path / "x.json")


def _frame(treatment, n=12):
    rng = np.random.default_rng(0)
    return pl.DataFrame(
        {"t": treatment, "y": rng.normal(size=n), "x": rng.normal(size=n)},
        strict=False,
    )


@given(
    st.lists(st.sampled_from(sorted(TRUE_WORDS | FALSE_WORDS)), min_size=12, max_size=12),
    st.sampled_from([str.upper, str.lower, str.title, lambda s: f"  {s} "]),
)
@settings(max_examples=60, deadline=None)
def test_treatment_words_in_any_case_parse_to_booleans(words, style):
    data = prepare(_frame([style(w) for w in words]), treatment="t", outcome="y", covariates=["x"])
    assert data.treated.tolist() == [w in TRUE_WORDS for w in words]


def test_boolean_and_float_treatments_are_accepted():
    flags = [True, False] * 6
    as_bool = prepare(_frame(flags), treatment="t", outcome="y", covariates=["x"])
    as_float = prepare(
        _frame([float(f) for f in flags]), treatment="t", outcome="y", covariates=["x"]
    )
    assert as_bool.treated.tolist() == flags == as_float.treated.tolist()


@pytest.mark.parametrize("values", [[0, 1, 2] * 4, ["ja", "nej", "kanske"] * 4])
def test_non_binary_treatment_is_refused_naming_the_values(values):
    with pytest.raises(EffectInputError, match="must be binary") as error:
        prepare(_frame(values), treatment="t", outcome="y", covariates=["x"])
    assert "2" in str(error.value) or "kanske" in str(error.value)


def test_missing_columns_are_all_named():
    with pytest.raises(EffectInputError, match="not in the table: nope, nada"):
        prepare(_frame([0, 1] * 6), treatment="t", outcome="y", covariates=["nope", "nada"])


def test_rows_with_missing_treatment_outcome_or_covariate_are_dropped_and_counted(small):
    # given four incomplete rows: treatment null, outcome null, outcome NaN, covariate null
    frame = small.with_row_index("i").with_columns(
        participant=pl.when(pl.col("i") == 0).then(None).otherwise(pl.col("participant")),
        earnings=pl.when(pl.col("i") == 1)
        .then(None)
        .when(pl.col("i") == 2)
        .then(float("nan"))
        .otherwise(pl.col("earnings")),
        education=pl.when(pl.col("i") == 3).then(None).otherwise(pl.col("education")),
    )
    # when
    result = estimate_effect(
        frame, treatment="participant", outcome="earnings", covariates=COVARIATES
    )
    # then
    assert result.dropped.missing == 4
    assert result.n_treated + result.n_control == small.height - 4


def test_text_covariates_are_one_hot_with_every_level_in_balance(small):
    data = prepare(small, treatment="participant", outcome="earnings", covariates=["education"])
    assert data.covariate_names == [
        "education=eftergymnasial",
        "education=grundskola",
        "education=gymnasium",
    ]
    assert np.array_equal(data.covariates.sum(axis=1), np.ones(small.height))
    # one level is the reference in the models, so the design is not collinear
    assert data.model_columns.tolist() == [1, 2]
    expected = (small["education"] == "grundskola").cast(pl.Float64).to_numpy()
    assert np.array_equal(data.covariates[:, 1], expected)


def test_yes_no_text_outcome_becomes_a_share():
    frame = _frame([0, 1] * 6).with_columns(y=pl.Series(["ja", "nej", "ja"] * 4))
    data = prepare(frame, treatment="t", outcome="y", covariates=["x"])
    assert data.outcome.tolist() == [1.0, 0.0, 1.0] * 4


def test_identifier_like_text_covariate_is_refused():
    frame = _frame([0, 1] * 150, n=300).with_columns(x=pl.Series([f"id{i}" for i in range(300)]))
    with pytest.raises(EffectInputError, match="categories"):
        prepare(frame, treatment="t", outcome="y", covariates=["x"])


@pytest.mark.parametrize("n_treated", [0, 1, 4])
def test_fewer_than_five_treated_are_refused(small, n_treated):
    controls = small.filter(pl.col("participant") == 0)
    treated = small.filter(pl.col("participant") == 1).head(n_treated)
    with pytest.raises(EffectInputError, match="at least 5"):
        estimate_effect(
            pl.concat([controls, treated]),
            treatment="participant",
            outcome="earnings",
            covariates=COVARIATES,
        )


def test_five_treated_give_an_estimate(small):
    controls = small.filter(pl.col("participant") == 0)
    treated = small.filter(pl.col("participant") == 1).head(5)
    result = estimate_effect(
        pl.concat([controls, treated]),
        treatment="participant",
        outcome="earnings",
        covariates=["age"],
        caliper=None,
    )
    assert result.n_treated == 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "magic"}, "unknown method"),
        ({"method": "did"}, "needs the outcome before"),
        ({"outcome_before": "earnings_before"}, "only by method did"),
        ({"covariates": []}, "at least one covariate"),
        ({"caliper": -1.0}, "caliper"),
        ({"covariates": ["participant"]}, "is the treatment"),
    ],
)
def test_bad_options_are_refused_clearly(small, kwargs, message):
    options = {"treatment": "participant", "outcome": "earnings", "covariates": COVARIATES}
    options.update(kwargs)
    with pytest.raises(EffectInputError, match=message):
        estimate_effect(small, **options)


@pytest.mark.parametrize(
    ("content", "utf8"),
    [
        (b"", True),
        (b"a,b\n1,2\n", True),
        ("a,ö\n1,2\n".encode(), True),
        # a character cut by the block boundary (blocks of 4 bytes below), then ASCII again
        ("abc€def\n".encode() + b"x" * 9, True),
        (b"a,b\n" * 3 + "ö".encode(), True),
        ("a,b\nMalmö\n".encode("cp1252"), False),
        (b"a,b\n" + "€".encode()[:2], False),  # cut off at the end of the file
    ],
)
def test_the_encoding_check_reads_block_by_block_as_decoding_the_whole_file(
    tmp_path, content, utf8
):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    try:
        content.decode("utf-8")
        whole = True
    except UnicodeDecodeError:
        whole = False
    assert whole == utf8
    assert _is_utf8(path, block=4) == utf8
    assert _is_utf8(path) == utf8
