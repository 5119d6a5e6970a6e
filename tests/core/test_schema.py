"""The OpenAPI schema says what the API answers (issue #9, finding 12): errors, pagination, documents."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.services import api_token_create

pytestmark = pytest.mark.django_db
MEMBERS = "/api/v1/orgs/schulamt-nord/members/"


@pytest.fixture
def as_admin(admin):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=admin, name='t')[1]}")
    return client


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


@pytest.mark.parametrize("bad", ["-1", "0", "abc", "null", "1.5", "٣"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_a_field_error(bad, as_admin):
    response = as_admin.get(MEMBERS, {"page_size": bad})
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"page_size"}


def test_a_page_size_above_the_maximum_is_clamped(as_admin):
    for size in ("501", "9" * 5000):
        response = as_admin.get(MEMBERS, {"page_size": size})
        assert response.status_code == 200, response.content
    assert as_admin.get(MEMBERS, {"page_size": "2"}).status_code == 200


def test_the_schema_says_how_page_size_behaves(schema):
    parameters = schema["paths"]["/api/v1/orgs/{org}/members/"]["get"]["parameters"]
    page_size = next(p for p in parameters if p["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1}
    assert "500" in page_size["description"]


def test_every_operation_documents_the_contract_errors(schema):
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail", "code"]
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert {"400", "401", "403", "404", "429"} <= set(responses), (method, path)
        if method in {"post", "put", "patch", "delete"}:
            assert "409" in responses, (method, path)
        body = operation.get("requestBody", {}).get("content", {})
        if body:
            assert "415" in responses, (method, path)
        if "multipart/form-data" in body:
            assert "413" in responses, (method, path)
        assert responses["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize(
    "path", ["/api/v1/orgs/{org}/proofs/{proof_id}/file/", "/api/v1/review/accounts/{org}/proofs/{proof_id}/file/"]
)
def test_a_proof_file_is_documented_as_pdf_png_or_jpeg(schema, path):
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/pdf", "image/png", "image/jpeg"}


def test_the_reviewer_account_view_is_described_field_by_field(schema):
    response = schema["paths"]["/api/v1/review/accounts/{org}/"]["get"]["responses"]["200"]
    ref = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    component = schema["components"]["schemas"][ref]
    assert {"organisation", "account", "eligibility", "proofs", "equipment", "history"} <= set(component["properties"])
    assert set(component["required"]) >= {"account", "eligibility", "proofs", "history"}
