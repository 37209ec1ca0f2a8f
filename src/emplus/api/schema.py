"""The schema declares every status the API answers with, not only the happy one.

drf-spectacular documents the success response of each operation. A client (and the API
fuzzing in tests/api/test_fuzzing.py) also meets 400 (invalid input or filter), 403 (not
logged in, or the role lacks the permission), 404 (outside the scope, an unknown id, a page
past the end) and 429 (a throttle): this post-processing hook adds them, with DRF's error
bodies, to every operation that does not declare them itself.
"""

from __future__ import annotations

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# 400: {"field": ["message", ...], ...} or {"non_field_errors": [...]} (DRF's validation body).
_VALIDATION = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {}},
            {"type": "string"},
            {"type": "object"},
        ]
    },
}
ERRORS = {
    "400": "Invalid input or filter; the body names each field.",
    "403": "Not logged in, or the role lacks the permission.",
    "404": "Not found, or outside the caller's scope.",
    "429": "Too many requests; retry after the Retry-After header's seconds.",
}
_METHODS = ("get", "post", "put", "patch", "delete")


def error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: add the error responses and their schemas."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", _DETAIL)
    schemas.setdefault("ValidationErrorBody", _VALIDATION)
    refs = {
        "400": {"$ref": "#/components/schemas/ValidationErrorBody"},
        "default": {"$ref": "#/components/schemas/ErrorDetail"},
    }
    for path in result.get("paths", {}).values():
        for method in _METHODS:
            operation = path.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                if code in responses:
                    continue
                responses[code] = {
                    "description": description,
                    "content": {"application/json": {"schema": refs.get(code, refs["default"])}},
                }
    return result
