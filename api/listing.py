"""What every listing of the researcher API shares: its query parameters (``limit``,
``offset``, ``format``), its two formats chosen the same way everywhere (JSON by default;
CSV with ``format=csv`` or ``Accept: text/csv``) and one page shape: ``items``, ``total``
(the number of matching items), ``limit``, ``offset`` and the links to the ``next`` and
``previous`` pages; in CSV the same as headers (``X-Total-Count``, ``Link``)."""
from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from rightsgraph.api.protocol import accepted_types
from rightsgraph.api.server import Server
from rightsgraph.graph.search import SearchIndex, SearchIndexError

Item = dict[str, Any]
T = TypeVar("T")
CSV_TYPE = "text/csv"


def described(description: str, *examples: object) -> Any:
    """A query parameter's documentation: what it takes, and examples that work on the
    store ``make graph`` builds (the seed CMW/C/AZE/CO/3), shown by ``/docs``."""
    return Query(description=description, openapi_examples={
        str(example): {"value": example} for example in examples})


Format = Annotated[Literal["json", "csv"] | None, described(
    "json (the default: items with their total, limit, offset and the links to the next and "
    "previous pages) or csv (a header row, then one row per item, lists joined with |; the "
    "total in the X-Total-Count header). Without it, Accept: text/csv also gives csv.",
    "json", "csv")]
Limit = Annotated[int, Query(ge=1, le=1000, description="page size (1 to 1000)",
                             openapi_examples={"20": {"value": 20}})]
Offset = Annotated[int, Query(ge=0, description="items to skip (the next page's offset is "
                              "offset + limit)", openapi_examples={"0": {"value": 0}})]


def output_format(request: Request, given: str | None) -> str:
    """``json`` or ``csv``: the ``format`` parameter when given, else the first of the two
    the ``Accept`` header ranks higher (JSON when it names neither)."""
    if given:
        return given
    for media in accepted_types(request.headers.get("accept")):
        if media in (CSV_TYPE, "text/*"):
            return "csv"
        if media in ("application/json", "application/*", "*/*"):
            return "json"
    return "json"


def value_of(term: dict | None) -> str | None:
    return None if term is None else term["value"]


async def rows(server: Server, query: str) -> list[dict[str, str | None]]:
    """The solutions of a SELECT, each as ``{variable: value}``."""
    bindings = await server.select(query)
    return [{name: value_of(term) for name, term in row.items()} for row in bindings]


async def count(server: Server, query: str) -> int:
    """The number a ``SELECT (COUNT(…) AS ?n)`` query answers, counted once per snapshot
    of the store (paging through a listing counts it once)."""
    async def counted() -> int:
        found = await rows(server, query)
        return int(found[0]["n"] or 0) if found else 0
    return int(await server.cached(("count", query), counted))


def csv_response(items: list[Item], columns: list[str],
                 headers: dict[str, str] | None = None) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for item in items:
        writer.writerow({k: _cell(v) for k, v in item.items()})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def _cell(value: Any) -> Any:
    """A CSV cell: a list joined with ``|``, a truth value as ``true`` or ``false``."""
    if isinstance(value, list):
        return "|".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


Counter = Callable[[], Awaitable[int]]


async def counted_page(items: list[Item], limit: int, offset: int, total: Counter | int,
                       ) -> tuple[list[Item], int]:
    """``items`` (fetched with one more than ``limit``, to know if more follow) cut to a
    page, and the number of matching items: ``total``, or what counts them, which runs only
    when this page cannot tell (more items follow, or the offset is past the last one), so a
    short answer costs one query."""
    more = len(items) > limit
    items = items[:limit]
    if isinstance(total, int):
        return items, total
    if not more and (items or offset == 0):
        return items, offset + len(items)
    return items, await total()


async def page(request: Request, items: list[Item], limit: int, offset: int, fmt: str | None,
               columns: list[str], total: Counter | int, **extra: Any) -> Response:
    """One page of ``items`` (fetched with one more than ``limit``) as CSV, or as JSON with
    the ``extra`` keys; ``total`` as :func:`counted_page` takes it."""
    items, matching = await counted_page(items, limit, offset, total)
    following = (str(request.url.include_query_params(offset=offset + limit, limit=limit))
                 if offset + limit < matching else None)
    preceding = (str(request.url.include_query_params(offset=max(0, offset - limit),
                                                      limit=limit))
                 if offset > 0 else None)
    if output_format(request, fmt) == "csv":
        links = [f'<{url}>; rel="{rel}"' for url, rel in ((following, "next"),
                                                           (preceding, "prev")) if url]
        headers = {"X-Total-Count": str(matching)}
        if links:
            headers["Link"] = ", ".join(links)
        return csv_response(items, columns, headers)
    return JSONResponse({"items": items, "total": matching, "limit": limit, "offset": offset,
                         "next": following, "previous": preceding, **extra})


def distinct_count(variables: str, pattern: str, dataset: str = "") -> str:
    """A query counting the distinct solutions of ``variables`` (``?para ?text``) in the
    group graph pattern ``pattern``."""
    return (f"SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ "
            f"SELECT DISTINCT {variables} WHERE {pattern} }}")


async def from_index(server: Server, compute: Callable[[SearchIndex], T]) -> T | None:
    """``compute(index)`` on the server's full-text index, off the event loop; ``None`` when
    the index cannot be opened (the caller then asks the store)."""
    def work() -> T:
        return compute(server.search_index())
    try:
        return await run_in_threadpool(work)
    except SearchIndexError:
        return None
