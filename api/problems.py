"""One shape for every error the server answers: RFC 9457 problem details
(``application/problem+json``: ``type``, ``title``, ``status``, ``detail``, ``instance``, and
``hint`` when there is something to try instead) for programs, and for browsers an HTML page
that says the same with the site's navigation."""
from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from rightsgraph.api.pool import QueryError
from rightsgraph.api.protocol import RefusedError, accepted_types
from rightsgraph.core import sparql as sp

PROBLEM_JSON = "application/problem+json"


def problem(request: Request, status: int, detail: str, hint: str | None = None,
            headers: dict[str, str] | None = None) -> Response:
    """The error ``status`` with ``detail``: HTML to a browser, problem details otherwise;
    ``headers`` go with either (``Retry-After``)."""
    from rightsgraph.api.web import render, wants_html

    title = HTTPStatus(status).phrase
    if wants_html(accepted_types(request.headers.get("accept"))):
        page = render(request, request.app.state.server, "error.html", status,
                      title=f"{status} {title}", detail=detail, hint=hint)
        page.headers.update(headers or {})
        return page
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "instance": str(request.url.path)}
    if hint:
        body["hint"] = hint
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_detail(err: RequestValidationError) -> str:
    """FastAPI's validation errors as one sentence: ``format: Input should be 'nq' or …``."""
    parts = []
    for error in err.errors():
        where = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
        parts.append(f"{'.'.join(where) or 'request'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` through :func:`problem`."""

    @app.exception_handler(QueryError)
    async def query_error(request: Request, err: QueryError) -> Response:
        return problem(request, err.status, err.message, headers=err.headers)

    @app.exception_handler(RefusedError)
    async def refused(request: Request, err: RefusedError) -> Response:
        return problem(request, err.status, err.message, err.hint, err.headers)

    @app.exception_handler(sp.UnsafeIriError)
    async def not_an_iri(request: Request, err: sp.UnsafeIriError) -> Response:
        return problem(request, 404, f"no resource at {err.value!r}")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> Response:
        return problem(request, 400, _validation_detail(err),
                       "the parameters and their values are listed at /docs")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException) -> Response:
        detail = err.detail if isinstance(err.detail, str) else HTTPStatus(err.status_code).phrase
        if err.status_code == 404:
            detail = f"nothing at {request.url.path}"
        return problem(request, err.status_code, detail)
