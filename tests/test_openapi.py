"""The REST API is described by a valid OpenAPI document covering every domain resource."""

from openapi_spec_validator import validate

from .conftest import jwt_headers

#: Resource paths every release must expose (one per domain API).
REQUIRED_PATHS = ["/oblast/", "/hromada/", "/provider/"]


def test_openapi_spec_is_valid_and_complete(app):
    client = app.test_client()
    assert client.get("/api/v1/_openapi").status_code == 401
    response = client.get("/api/v1/_openapi", headers=jwt_headers(client, "admin"))
    assert response.status_code == 200
    spec = response.json
    validate(spec)
    paths = set(spec["paths"])
    for path in REQUIRED_PATHS:
        assert f"/api/v1{path}" in paths, path
    api_resources = {
        api.resource_name
        for api in app.appbuilder.baseviews
        if getattr(api, "resource_name", None) and hasattr(api, "datamodel")
    }
    for resource in api_resources:
        assert f"/api/v1/{resource}/" in paths, f"{resource} missing from the OpenAPI document"
