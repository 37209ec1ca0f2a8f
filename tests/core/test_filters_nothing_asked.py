"""A list asked without any filter's parameter (no parameter, a page number, a search token)
is answered without a form (decision 0076): the same filters, validity and errors as the
form gives, for every FilterSet of the project."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.http import QueryDict

import emplus
from emplus.core import filters as core_filters
from emplus.core.filters import SelectorFilterSet
from emplus.pathways.filters import ParticipantFilterSet, ParticipantSearchFilterSet


def _all_filtersets() -> list[type[SelectorFilterSet]]:
    for module in pkgutil.iter_modules(emplus.__path__):
        if not module.ispkg:
            continue
        try:
            importlib.import_module(f"emplus.{module.name}.filters")
        except ModuleNotFoundError:
            continue
    found, todo = [], list(SelectorFilterSet.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: c.__qualname__)


FILTERSETS = _all_filtersets()


def _by_form(cls, data, **kwargs):
    """The answer of the form itself (the shortcut switched off for this instance)."""
    filterset = cls(data, **kwargs)
    filterset.__dict__["_asks_nothing_cached"] = False
    return filterset


def test_every_filterset_of_the_project_is_checked():
    names = {cls.__name__ for cls in FILTERSETS}
    assert {"ParticipantFilterSet", "ParticipantSearchFilterSet"} <= names
    assert len(FILTERSETS) >= 6


@pytest.mark.django_db
@pytest.mark.parametrize("cls", FILTERSETS, ids=lambda c: c.__qualname__)
@pytest.mark.parametrize("query", ["", "page=3", "search=abc&page=2", "format=json"])
def test_no_filter_asked_gives_what_the_form_gives(cls, query):
    data = QueryDict(query)
    fast, slow = cls(data), _by_form(cls, data)
    assert fast.is_valid() == slow.is_valid()
    assert dict(fast.errors) == dict(slow.errors)
    assert fast.selector_filters == slow.selector_filters
    assert fast._asks_nothing() == (core_filters._answer_to_nothing(cls) is not None)


@pytest.mark.parametrize(
    "query",
    ["status=bogus", "phase=", "followup_due=maybe", "unit=not-a-uuid", "organisation=&page=2"],
)
def test_a_filters_parameter_takes_the_form_and_its_errors(query):
    # given a parameter of a filter (valid, empty or not)
    data = QueryDict(query)
    fast, slow = ParticipantFilterSet(data), _by_form(ParticipantFilterSet, data)
    # then the answer is the form's, errors included
    assert not fast._asks_nothing()
    assert fast.is_valid() == slow.is_valid()
    assert dict(fast.errors) == dict(slow.errors)
    assert fast.selector_filters == slow.selector_filters


def test_errors_are_still_shown_and_a_valid_filter_applies():
    assert ParticipantFilterSet(QueryDict("status=bogus")).errors["status"]
    assert ParticipantFilterSet(QueryDict("status=active")).selector_filters.status == "active"
    assert ParticipantSearchFilterSet(QueryDict("q=Karl")).selector_filters.q == "Karl"
    # a filter's part (e.g. a range's `_min`) is a filter's parameter too
    assert not ParticipantFilterSet(QueryDict("status_min=1"))._asks_nothing()


def test_unbound_or_prefixed_filtersets_take_the_form():
    assert not ParticipantFilterSet(None)._asks_nothing()
    assert not ParticipantFilterSet(QueryDict(""), prefix="f")._asks_nothing()
    assert ParticipantFilterSet(QueryDict(""))._asks_nothing()


def test_a_filterset_whose_empty_form_is_invalid_is_never_answered_without_it(monkeypatch):
    # given a FilterSet whose form refuses no parameters (a required filter)
    import django_filters

    class Required(ParticipantFilterSet):
        needed = django_filters.CharFilter(required=True)

    filterset = Required(QueryDict("page=2"))
    # then the form answers, with its error
    assert not filterset._asks_nothing()
    assert not filterset.is_valid()
    assert "needed" in filterset.errors


def test_a_subclass_that_reads_its_form_after_is_valid_still_can():
    # given FilterSets whose own properties read `form.cleaned_data` after is_valid()
    from emplus.evidence.filters import ProgressionFilterSet

    # when they are asked without parameters, the answer first or the property first
    first = ProgressionFilterSet(QueryDict("page=2"))
    assert first.selector_filters == ProgressionFilterSet(QueryDict()).selector_filters
    assert first.group_by_value == "organisation"
    second = ProgressionFilterSet(QueryDict())
    assert second.group_by_value == "organisation"
    assert not second.errors
    # then is_valid() is the form's own (its cleaned data there to read)
    assert second.is_valid() and "group_by" in second.form.cleaned_data


def test_the_api_is_refused_a_bad_filter_and_not_a_page_number():
    from rest_framework.exceptions import ValidationError

    ParticipantFilterSet(QueryDict("page=4")).raise_for_api()
    with pytest.raises(ValidationError):
        ParticipantFilterSet(QueryDict("status=bogus&page=4")).raise_for_api()
