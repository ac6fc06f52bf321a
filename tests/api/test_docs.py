import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_interactive_docs_load_their_assets_from_this_site(client):
    response = client.get("/api/docs/")

    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert response.status_code == 200
    assert re.findall(r"https?://", html) == []
    # The page's own start-up script comes from the docs' address (no inline script: CSP).
    assert sorted(assets) == [
        "/api/docs/?script=",
        "/static/css/api-docs.css",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    ]
    for asset in assets:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_schema_is_valid_openapi_and_documents_the_filters_and_bilingual_texts():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()

    validate_schema(schema)
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/sessions/"]["get"]["parameters"]
    }
    assert parameters["day"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["track"]["schema"]["type"] == "integer"
    assert sorted(parameters) == ["day", "event", "page", "page_size", "room", "speaker", "track"]
    assert schema["components"]["schemas"]["Session"]["properties"]["title"] == {
        "allOf": [{"$ref": "#/components/schemas/BilingualText"}],
        "readOnly": True,
    }
    assert sorted(schema["components"]["schemas"]["BilingualText"]["required"]) == ["en", "fr"]
    assert "email" not in schema["components"]["schemas"]["Speaker"]["properties"]


def test_an_unknown_api_address_is_a_json_404(client):
    response = client.post("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Non trouvé."}


def test_the_schema_generates_without_a_warning(tmp_path):
    # Warnings mean guesses: an undocumented field type, an ambiguous enum name.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))

    assert "/api/v1/sessions/{id}/" in (tmp_path / "s.yaml").read_text()
