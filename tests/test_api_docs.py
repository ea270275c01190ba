"""`/docs` works offline (the vendored Swagger UI) and documents every parameter of the
researcher API with a description and an example (issue 11, item 2)."""
from __future__ import annotations

import re

import pytest


def test_docs_page_loads_only_files_this_server_serves(web_client):
    page = web_client.get("/docs", headers={"Accept": "text/html"})
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "https://" not in page.text.replace("https://rightsgraph.org", "")
    for source in sources:
        asset = web_client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 500, source
    assert "/openapi.json" in page.text


def test_the_vendored_viewer_carries_its_licence():
    from rightsgraph.core.resources import package_path

    folder = package_path("rightsgraph.api", "static") / "swagger_ui"
    assert "Apache License" in (folder / "LICENSE").read_text()
    version = (folder / "VERSION").read_text().strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert (folder / "swagger-ui-bundle.js").stat().st_size > 500_000


@pytest.fixture(scope="module")
def api_operations(web_client):
    schema = web_client.get("/openapi.json").json()
    return [(path, operation) for path, item in schema["paths"].items()
            if path.startswith("/api/") for operation in item.values()]


def test_every_researcher_api_parameter_has_a_description_and_an_example(api_operations):
    assert len(api_operations) >= 7
    for path, operation in api_operations:
        for parameter in operation.get("parameters", []):
            name = f"{path} {parameter['name']}"
            assert len(parameter.get("description", "")) > 10, name
            assert _examples(parameter), name


# parameters that only work with another one
COMPANIONS = {("/api/chain", "document"): {"number": 16},
              ("/api/chain", "number"): {"document": "CMW/C/AZE/CO/3"},
              ("/api/chain", "format"): {"document": "CMW/C/AZE/CO/3", "number": 16},
              **{("/api/search", name): {"q": "移民战略"}
                 for name in ("lang", "limit", "offset", "format")}}


def test_the_documented_examples_work_on_the_seed(web_client, api_operations):
    for path, operation in api_operations:
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query" or parameter["name"] in ("limit", "offset"):
                continue
            example = _examples(parameter)[0]
            url = re.sub(r"\{(\w+)\}", lambda m: {"treaty": "ICRMW", "article": "73",
                                                   "target": "10.7",
                                                   "alpha3": "AZE"}[m.group(1)], path)
            params = {parameter["name"]: example,
                      **COMPANIONS.get((path, parameter["name"]), {})}
            answer = web_client.get(url, params=params)
            assert answer.status_code == 200, (url, parameter["name"], answer.text[:300])


def _examples(parameter: dict) -> list:
    """A parameter's examples, given on the parameter (openapi_examples) or its schema."""
    given = [example["value"] for example in (parameter.get("examples") or {}).values()]
    return given or list(parameter.get("schema", {}).get("examples", []))
