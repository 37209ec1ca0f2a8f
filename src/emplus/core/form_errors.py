"""Run a page's service and put its validation errors on the form, so that a page shows them
beside the fields they name instead of failing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError

_T = TypeVar("_T")


def service_result(form: Any, action: Callable[[], _T]) -> _T | None:
    """`action()`'s result, or None with its ValidationError's messages on `form` (on the field
    they name when the form has it, else on the form as a whole)."""
    try:
        return action()
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                form.add_error(None, message)
            return None
        for name, messages in error.message_dict.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
        return None
