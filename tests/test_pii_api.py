"""REST API answers: ``_info`` describes fields in Ukrainian or not at all."""

from __future__ import annotations

from .conftest import jwt_headers


def _info_urls(app):
    return sorted(
        {
            rule.rule
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/") and rule.rule.endswith("/_info")
        }
    )


def test_info_never_returns_the_catalogue_header(app):
    client = app.test_client()
    headers = jwt_headers(client, "admin")
    urls = _info_urls(app)
    assert len(urls) >= 8
    for url in urls:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
        assert "Project-Id-Version" not in response.text, url
        assert "Content-Type: text/plain" not in response.text, url
        for key in ("add_columns", "edit_columns"):
            for field in response.json.get(key, []):
                assert field["label"], (url, field["name"])
                if field["description"]:
                    assert "msgid" not in field["description"]


def test_info_descriptions_are_ukrainian_where_given(app):
    """A field with a description in its API class answers it translated."""
    client = app.test_client()
    headers = jwt_headers(client, "admin")
    response = client.get("/api/v1/case/_info", headers=headers)
    assert response.status_code == 200
    labels = {f["name"]: f["label"] for f in response.json["add_columns"]}
    assert any(any("\u0400" <= ch <= "\u04ff" for ch in label) for label in labels.values())


def test_info_answer_matches_its_openapi_description(app):
    """FAB documented the field lists as objects; they are lists of fields."""
    client = app.test_client()
    headers = jwt_headers(client, "admin")
    spec = client.get("/api/v1/_openapi", headers=headers).json  # validated in test_openapi
    schema = spec["paths"]["/api/v1/case/_info"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]["properties"]
    for key in ("add_columns", "edit_columns"):
        assert schema[key]["type"] == "array"
        fields = client.get("/api/v1/case/_info", headers=headers).json[key]
        assert isinstance(fields, list) and fields
        assert set(fields[0]) >= set(schema[key]["items"]["properties"])
