"""The base of the shared FilterSets: one declaration of a list's filters for its page and its API.

A FilterSet (django-filter) names each filter, its type and its allowed values. The page and the
API of a list both parse their parameters with the same FilterSet and hand its
`selector_filters` (the selector's frozen dataclass) to the selector, which applies them inside
the viewer's scope: the FilterSet validates, the selector filters (docs/decisions, "shared
FilterSets"). An invalid value is never dropped in silence: the API answers 400 naming the
parameter, the page shows the error next to the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

import django_filters
from django import forms
from django.db import models
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

_TRUE = frozenset({"1", "true", "yes", "on", "ja"})
_FALSE = frozenset({"0", "false", "no", "off", "nej"})


class StrictBooleanField(forms.Field):
    """Yes/no from a query parameter: empty means "not given"; anything else but a yes or a no
    is an error (Django's NullBooleanField would take it for "not given")."""

    default_error_messages = {"invalid": _("Give true or false.")}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet whose yes/no filters from model fields are strict: the
    project's base for every FilterSet that filters a queryset itself."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
        models.NullBooleanField: {"filter_class": StrictBooleanFilter},
    }


@extend_schema_field(OpenApiTypes.STR)
class CodeFilter(django_filters.ModelChoiceFilter):
    """A row named by its code (organisation, county, method ...): an unknown code is an error.

    The selector receives the code, not the row."""

    def __init__(self, *, queryset, label=None, to_field_name: str = "code", **kwargs):
        super().__init__(queryset=queryset, label=label, to_field_name=to_field_name, **kwargs)


class SelectorFilterSet(django_filters.FilterSet):
    """Validates query parameters into the selector's filter dataclass (`filters_class`).

    It does not filter a queryset itself: `filter_queryset` leaves the queryset as it is, so
    that DRF's filter backend may validate (400) and drf-spectacular may document the
    parameters, while the selector stays the one place that reads rows."""

    filters_class: ClassVar[type]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            # Nothing to filter here: the selector reads (every subclass names its Meta.model).
            queryset = self._meta.model._default_manager.none()
        super().__init__(data, queryset, request=request, prefix=prefix)

    def filter_queryset(self, queryset):
        return queryset

    def _asks_nothing(self) -> bool:
        """Bound to parameters none of which is a filter's (no parameter, a page number, a
        search token): every filter is then "not given", and the answer is the one kept for
        the class (`_answer_to_nothing`) instead of a form built and cleaned (~0.5 ms: the
        caseload and the API list without filters, decision 0076)."""
        asks_nothing = self.__dict__.get("_asks_nothing_cached")
        if asks_nothing is None:
            names = tuple(self.base_filters)
            asks_nothing = (
                self.is_bound
                and self.form_prefix is None
                # a filter's parameter, or one of its parts (a range's `_min`, `_after` ...)
                and not any(key.startswith(names) for key in self.data)
                and _answer_to_nothing(type(self)) is not None
            )
            self.__dict__["_asks_nothing_cached"] = asks_nothing
        return asks_nothing

    # is_valid() stays the form's: a subclass may read `self.form.cleaned_data` after it.

    @property
    def errors(self):
        if self._asks_nothing():
            return ErrorDict()
        return super().errors

    @property
    def selector_filters(self):
        """The selector's filters from the valid parameters (the invalid ones are errors)."""
        answer = _answer_to_nothing(type(self)) if self._asks_nothing() else None
        return self.filters_class(**(self._values() if answer is None else answer))

    def _values(self) -> dict[str, Any]:
        """The selector's filters' values, from the form."""
        self.is_valid()
        values: dict[str, Any] = {}
        fields = getattr(self.filters_class, "__dataclass_fields__", {})
        for name, value in self.form.cleaned_data.items():
            if name not in fields or value in (None, "", [], ()):
                continue
            values[name] = self._plain(name, value)
        return values

    def _plain(self, name: str, value: Any) -> Any:
        if isinstance(value, models.Model):
            to_field = getattr(self.form.fields[name], "to_field_name", None) or "pk"
            return getattr(value, to_field)
        if isinstance(value, str):
            return value.strip()
        return value

    def error_dict(self) -> dict[str, list[str]]:
        return {name: [str(m) for m in messages] for name, messages in self.errors.items()}

    def raise_for_api(self) -> None:
        """400 naming each invalid parameter (the API never ignores a bad filter)."""
        if self._asks_nothing():
            return
        if not self.is_valid():
            raise ValidationError(self.error_dict())

    def as_params(self) -> dict[str, str]:
        """The valid filters as query parameters (for links that keep them)."""
        out: dict[str, str] = {}
        for name, value in vars(self.selector_filters).items():
            if value in (None, "", False):
                continue
            if value is True:
                out[name] = "1"
            elif isinstance(value, date):
                out[name] = value.isoformat()
            else:
                out[name] = str(value)
        return out


# A SelectorFilterSet class -> the values of its selector's filters when no parameter is
# given, as its form cleans them; None where that form is not valid (a required filter).
_ANSWERS_TO_NOTHING: dict[type, dict[str, Any] | None] = {}


def _answer_to_nothing(filterset_class: type[SelectorFilterSet]) -> dict[str, Any] | None:
    try:
        return _ANSWERS_TO_NOTHING[filterset_class]
    except KeyError:
        pass
    # A subclass that reads its form itself (its own selector_filters, validation or form)
    # always builds it.
    own_reading = any(
        getattr(filterset_class, name) is not getattr(SelectorFilterSet, name)
        for name in ("selector_filters", "is_valid", "errors", "form", "_values", "raise_for_api")
    )
    if own_reading:
        _ANSWERS_TO_NOTHING[filterset_class] = None
        return None
    empty = filterset_class(QueryDict())
    empty.__dict__["_asks_nothing_cached"] = False  # the form's own way, once
    answer = None
    if empty.is_valid() and not empty.errors:
        answer = empty._values()
    _ANSWERS_TO_NOTHING[filterset_class] = answer
    return answer


def filters_or_400(filterset_class: type[SelectorFilterSet], data: Mapping, *, request=None):
    """The selector's filters of an API request, or a 400 naming each invalid parameter."""
    if not isinstance(data, Mapping):
        # A JSON body that is a list or a number: nothing to name, still the caller's error.
        raise ValidationError({"non_field_errors": [_("Send the filters as an object.")]})
    filterset = filterset_class(data, request=request)
    filterset.raise_for_api()
    return filterset.selector_filters


def body_serializer(filterset_class: type[django_filters.FilterSet], name: str) -> type:
    """A serializer that documents a FilterSet's filters as a request body (a search sent by
    POST): the schema's description of the body, derived from the one declaration. The
    FilterSet still parses the body."""
    declared: dict[str, serializers.Field] = {}
    for key, flt in filterset_class.base_filters.items():
        extra = flt.extra
        label = flt.label  # lazy: the schema is written in the reader's language
        if isinstance(flt, django_filters.ChoiceFilter):
            field: serializers.Field = serializers.ChoiceField(
                choices=extra.get("choices", []), required=False, allow_blank=True, label=label
            )
        elif isinstance(flt, django_filters.BooleanFilter):
            field = serializers.BooleanField(required=False, default=False, label=label)
        else:
            field = serializers.CharField(
                required=False,
                allow_blank=True,
                max_length=extra.get("max_length"),
                label=label,
            )
        declared[key] = field
    return type(name, (serializers.Serializer,), declared)
