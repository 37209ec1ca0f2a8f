"""What the worklife pages share: a service's errors on the form and the one-form page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from emplus.worklife import forms


def apply_errors(form, error: ValidationError) -> None:
    """A service's validation errors next to the matching fields (else at the top)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = name if name in form.fields else None
            for item in errors:
                form.add_error(field, item.messages[0])
    else:
        for message in error.messages:
            form.add_error(None, message)


def saved(form, action: Callable[[], Any]) -> bool:
    """Whether the service saved; when it refused, its errors are on the form."""
    try:
        action()
    except ValidationError as error:
        apply_errors(form, error)
        return False
    return True


def form_page(
    request,
    *,
    form,
    save: Callable[[dict], Any],
    success: str,
    done: Callable[[Any], str],
    title: str,
    back: str,
    participant=None,
):
    """A page of one form whose valid POST is handed to `save` (a service call); on success a
    message and a redirect to `done(result)`, else the form again with every error."""
    result: list[Any] = []
    if (
        request.method == "POST"
        and form.is_valid()
        and saved(form, lambda: result.append(save(form.cleaned_data)))
    ):
        messages.success(request, success)
        return redirect(done(result[0]))
    return render(
        request,
        "worklife/form.html",
        {"form": form, "participant": participant, "title": title, "back": back},
    )


def group_filter(request) -> tuple:
    """The grouping and date of an aggregate page from its filter form (defaults: by
    organisation, today)."""
    form = forms.CompletionFilterForm(request.GET or None)
    group_by, as_of = "organisation", timezone.localdate()
    if form.is_bound and form.is_valid():
        group_by = form.cleaned_data["group_by"] or group_by
        as_of = form.cleaned_data["as_of"] or as_of
    return form, group_by, as_of
