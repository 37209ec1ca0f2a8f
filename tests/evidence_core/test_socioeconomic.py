"""Socio-economic value of observed transitions: the parameter set and the arithmetic."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from emplus.evidence_core.socioeconomic import (
    ACTORS,
    CostRange,
    Transitions,
    load_parameters,
    parameters_from_mapping,
    transitions_from_indicators,
    yearly_value,
)


def raw_parameters() -> dict:
    text = (
        resources.files("emplus.evidence_core")
        .joinpath("data/cost_of_exclusion_v1.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


def test_packaged_parameter_set_is_a_labelled_sourced_estimate():
    # when
    p = load_parameters()
    # then
    assert p.label == "estimate" and p.version == 1 and p.currency == "SEK"
    assert p.price_year == 2010 and "KPI" in p.price_year_note
    assert set(p.actors) == set(ACTORS)
    assert any("Nilsson" in s["citation"] and "Wadeskog" in s["citation"] for s in p.sources)
    assert any("not the effect" in c for c in p.caveats)
    for r in (*p.actors.values(), p.production_loss):
        assert r.low < r.central < r.high


def test_public_total_is_the_sum_of_the_actors():
    p = load_parameters()
    assert p.public_total == CostRange(120_000, 205_000, 320_000)


def test_persons_are_bounded_for_overlapping_indicators():
    # given 4 in education, 10 employed on leaving, 7 employed after six months
    t = Transitions(education=4, employment_upon_leaving=10, employment_after_six_months=7)
    # then: at least 10 distinct, at most 4 + 10
    assert t.persons == CostRange(10, 14, 14)
    # the follow-up may exceed the exit observation
    assert Transitions(0, 3, 5).persons == CostRange(5, 5, 5)


def test_yearly_value_by_actor_hand_computed():
    # given
    t = Transitions(education=4, employment_upon_leaving=10, employment_after_six_months=7)
    # when
    v = yearly_value(t)
    # then: low 10 x 60 000, central 14 x 100 000, high 14 x 150 000 for the municipality
    assert v.by_actor["municipality"] == CostRange(600_000, 1_400_000, 2_100_000)
    assert v.by_actor["region"] == CostRange(100_000, 350_000, 700_000)
    assert v.by_actor["state"] == CostRange(500_000, 1_120_000, 1_680_000)
    assert v.public_total == CostRange(1_200_000, 2_870_000, 4_480_000)
    assert v.production_loss == CostRange(1_000_000, 3_150_000, 4_200_000)
    d = v.as_dict()
    assert d["label"] == "estimate" and d["parameters"] == "cost_of_exclusion v1"
    assert d["public_cost_avoided"]["total"]["central"] == 2_870_000


def test_no_value_when_an_input_is_hidden_by_suppression():
    # when
    t = transitions_from_indicators({"EECR02": 6, "EECR04": None, "EECR05": 8})
    # then
    assert t is None and yearly_value(t) is None


def test_transitions_read_from_indicator_totals():
    t = transitions_from_indicators({"EECR02": 1, "EECR04": 2, "EECR05": 3, "EECO01": 9})
    assert t == Transitions(1, 2, 3)


def test_zero_transitions_have_zero_value():
    v = yearly_value(Transitions(0, 0, 0))
    assert v.public_total == CostRange(0, 0, 0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(label="fact"), "estimate"),
        (lambda d: d["actors"].pop("region"), "region"),
        (lambda d: d.update(sources=[]), "sources"),
        (lambda d: d["actors"]["state"].update(low=200_000), "low <= central"),
        (lambda d: d["production_loss"].update(high="a lot"), "numbers"),
        (lambda d: d["actors"]["municipality"].update(low=-1, central=-1, high=-1), "negative"),
    ],
)
def test_a_bad_parameter_set_is_refused(change, message):
    # given
    data = copy.deepcopy(raw_parameters())
    change(data)
    # when / then
    with pytest.raises(ValueError, match=message):
        parameters_from_mapping(data)
