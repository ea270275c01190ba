"""Example answers of the researcher API for ``/docs``: what a route answers on the store
``make graph`` builds (the seed CMW/C/AZE/CO/3, served on http://127.0.0.1:8000).

They are recorded, never written by hand: ``tools/record_api_examples.py`` requests each
route of :data:`ROUTES` on a store of the seed and writes ``response_examples.json``;
``tests/test_researcher_counts.py`` checks the file is what the seed answers.
"""
from __future__ import annotations

import json
from functools import cache
from typing import Any

from rightsgraph.core.resources import package_path

ROUTES: dict[str, dict[str, Any]] = {  # route -> the query parameters of its example
    "/api/documents": {},
    "/api/states": {},
    "/api/sdg": {"limit": 2},
    "/api/articles": {"treaty": "ICRMW", "limit": 2},
    "/api/summary": {},
}
SERVED_AT = "http://127.0.0.1:8000"  # make graph's address, in the recorded links
FILE = "response_examples.json"


def record(client) -> dict[str, dict[str, Any]]:
    """Each route's answer on the server ``client`` talks to (a TestClient on a store of
    the seed), with its links rewritten to ``make graph``'s address."""
    found = {}
    for route, params in ROUTES.items():
        answer = client.get(route, params=params)
        answer.raise_for_status()
        text = answer.text.replace(str(client.base_url).rstrip("/"), SERVED_AT)
        found[route] = {"params": params, "answer": json.loads(text)}
    return found


@cache
def recorded() -> dict[str, dict[str, Any]]:
    return json.loads(package_path("rightsgraph.api", FILE).read_text(encoding="utf-8"))


def responses(route: str, csv: bool = True) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route for the OpenAPI schema: its recorded JSON example (and
    its CSV form, with the X-Total-Count header, for a listing)."""
    example = recorded()[route]
    content: dict[str, Any] = {"application/json": {"example": example["answer"]}}
    described: dict[str, Any] = {"description": "on the seed (`make graph`) with "
                                 + (json.dumps(example["params"]) if example["params"]
                                    else "no parameter"), "content": content}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
        described["headers"] = {
            "X-Total-Count": {"description": "the number of matching items (CSV)",
                              "schema": {"type": "integer"}},
            "Link": {"description": "the next and previous pages (CSV; rel=next, rel=prev)",
                     "schema": {"type": "string"}}}
    return {200: described}
