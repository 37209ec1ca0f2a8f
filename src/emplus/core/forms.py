"""Helpers of the page forms shared by the apps: a service's validation errors shown beside
the fields they name."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's validation errors beside the fields they name (else at the top)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(name if name in form.fields else None, item.messages[0])
    else:
        for message in error.messages:
            form.add_error(None, message)


def service_call(form: forms.Form, action: Callable[[], object]) -> bool:
    """Run a service for a valid form; False (its errors added to the form) when it refuses."""
    try:
        action()
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    return True
