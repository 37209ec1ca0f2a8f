"""The OpenAPI schema is valid OpenAPI 3 and its documentation page renders offline."""

from __future__ import annotations

import pytest
import yaml
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    validate(schema)
    for path in [
        "/api/organisations/",
        "/api/units/{id}/",
        "/api/counties/",
        "/api/municipalities/{code}/",
        "/api/municipalities/boundaries/",
    ]:
        assert path in schema["paths"], path


def test_docs_render_from_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui-bundle.js" in page and "/static/" in page
    assert "http" not in page.split("<body>")[1].replace("https://swagger", "")
