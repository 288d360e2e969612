"""Every error the service returns, mapped to a status code in one place.

Responses are RFC 9457 problem details (``application/problem+json``) with
``type``, ``title``, ``status``, ``detail`` and ``instance``, plus extension
members where they help a client act on the error:

============================  ======  =========================================
cause                         status  extensions
============================  ======  =========================================
invalid request (validation)  422     ``errors``: ``[{loc, field, message, type}]``
:class:`RecordError`          422
:class:`LedgerValueError`      422     (a value the ledger refuses)
:class:`AuthError`            401     (and a ``WWW-Authenticate`` header)
:class:`ForbiddenError`       403
:class:`NotFoundError`        404     ``kind``, ``id``
revert: another department's  403     ``error``, ``arguments``, ``contract``
object (``NOT_YOURS``)
:class:`ContractRevert`       409     ``error``, ``arguments``, ``contract``; the
                                      detail explains it in words
                                      (:func:`ledger.mechanisms.explain.explain`)
:class:`ConfigError`          409     (e.g. no effect log opened yet)
:class:`LedgerBusyError`      503     (and a ``Retry-After`` header)
:class:`NodeUnavailableError` 503     (the node does not answer; ``Retry-After``)
other :class:`LedgerError`    500     nothing from the error itself
anything else                 500     ``request_id`` (the server log names it)
============================  ======  =========================================

A plain ``ValueError`` is not input: the ledger raises :class:`LedgerValueError` for
what it refuses, so any other exception is a bug, logged with its trace and the
request id that the 500 response carries.

Problem types of the ledger are URNs (``urn:govledger:problem:<name>``): they
name the kind of problem and are not meant to be dereferenced. Plain HTTP
errors (unknown route, wrong method) use ``about:blank``.

No response carries a stack trace, a request's credentials or the text of an
unexpected exception.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.models import Problem
from ledger.errors import (
    AuthError,
    ConfigError,
    ContractRevert,
    ForbiddenError,
    LedgerBusyError,
    LedgerError,
    LedgerValueError,
    NodeUnavailableError,
    NotFoundError,
    RecordError,
)
from ledger.mechanisms.explain import explain
from ledger.settings import get_settings

logger = logging.getLogger("api")

PROBLEM_JSON = "application/problem+json"

#: Header that carries the API key; named in 401 responses.
API_KEY_HEADER = "X-API-Key"


def problem_type(name: str) -> str:
    return f"urn:govledger:problem:{name}"


def problem(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """An RFC 9457 problem details response."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# -- request validation -------------------------------------------------------

#: Where a request value comes from, as ``loc[0]`` of a validation error names it.
_SOURCES = {
    "body": "body",
    "query": "query parameter",
    "path": "path parameter",
    "header": "header",
    "cookie": "cookie",
}


def _field_path(loc: Sequence[int | str]) -> str:
    """``("body", "clauses", 0, "id")`` -> ``clauses[0].id``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _describe(error: dict[str, Any]) -> dict[str, Any]:
    """One validation error as ``{loc, field, message, type}``; never echoes the input."""
    loc = [p for p in error.get("loc", ()) if isinstance(p, int | str)]
    source, path = (loc[0], loc[1:]) if loc and loc[0] in _SOURCES else ("body", loc)
    kind = str(error.get("type", "invalid"))
    ctx = error.get("ctx") or {}
    message = str(error.get("msg", "is invalid"))
    if kind == "json_invalid":
        position = f" (at character {path[0]})" if path and isinstance(path[0], int) else ""
        reason = ctx.get("error", "malformed JSON")
        return {
            "loc": [source],
            "field": None,
            "message": f"the request body is not valid JSON: {reason}{position}",
            "type": kind,
        }
    at = ctx.get("at")  # a model validator may point at a nested element (duplicate ids)
    if isinstance(at, tuple | list):
        path = [*path, *[p for p in at if isinstance(p, int | str)]]
    field = _field_path(path) or None
    if source == "body" and not path:
        if kind == "missing":
            message = "the request body is required (a JSON object)"
        elif isinstance(error.get("input"), str | bytes):
            message = (
                "the request body must be a JSON object, sent with Content-Type: application/json"
            )
    elif kind == "missing":
        message = "field required"
    return {"loc": [source, *path], "field": field, "message": message, "type": kind}


def _sentence(item: dict[str, Any]) -> str:
    if item["type"] == "json_invalid" or item["field"] is None:
        return str(item["message"])
    source = item["loc"][0]
    where = item["field"] if source == "body" else f"{_SOURCES[source]} {item['field']}"
    return f"{where}: {item['message']}"


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    items = [_describe(dict(e)) for e in exc.errors()]
    detail = "; ".join(dict.fromkeys(_sentence(i) for i in items)) or "the request is invalid"
    return problem(
        request,
        422,
        "Invalid request",
        detail,
        type_=problem_type("invalid-request"),
        errors=items,
    )


# -- ledger errors -------------------------------------------------------------


def json_safe(value: Any) -> Any:
    """A JSON-safe copy of decoded contract values (bytes as 0x-hex)."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


async def _ledger_error(request: Request, exc: Exception) -> JSONResponse:
    return problem_for(request, exc)


def problem_for(request: Request, exc: Exception) -> JSONResponse:
    """The problem details response for ``exc``: a :class:`LedgerError` by the table
    above, anything else a logged 500 (the dashboard's pages show the same ``detail``)."""
    if not isinstance(exc, LedgerError):
        return _unexpected_problem(request, exc)
    if isinstance(exc, ContractRevert):
        if exc.not_yours is not None:
            status, title, detail, name = 403, "Forbidden", exc.not_yours, "not-yours"
        else:
            status, title, detail, name = 409, "Contract reverted", explain(exc), "contract-revert"
        return problem(
            request,
            status,
            title,
            detail,
            type_=problem_type(name),
            error=exc.name,
            arguments=json_safe(exc.arguments),
            contract=exc.contract,
        )
    if isinstance(exc, NotFoundError):
        return problem(
            request,
            404,
            "Not found",
            str(exc),
            type_=problem_type("not-found"),
            kind=exc.kind,
            id=exc.ident,
        )
    if isinstance(exc, AuthError):
        return problem(
            request,
            401,
            "Unauthorized",
            str(exc),
            type_=problem_type("unauthorized"),
            headers={"WWW-Authenticate": f'ApiKey header="{API_KEY_HEADER}"'},
        )
    if isinstance(exc, ForbiddenError):
        return problem(request, 403, "Forbidden", str(exc), type_=problem_type("forbidden"))
    if isinstance(exc, RecordError):
        return problem(
            request, 422, "Invalid record", str(exc), type_=problem_type("invalid-record")
        )
    if isinstance(exc, LedgerValueError):
        return problem(request, 422, "Invalid input", str(exc), type_=problem_type("invalid-input"))
    if isinstance(exc, ConfigError):
        return problem(
            request, 409, "Not configured", str(exc), type_=problem_type("not-configured")
        )
    if isinstance(exc, NodeUnavailableError):
        return problem(
            request,
            503,
            "Chain unavailable",
            str(exc),
            type_=problem_type("chain-unavailable"),
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, LedgerBusyError):
        return problem(
            request,
            503,
            "Ledger busy",
            "the ledger is busy; retry shortly",
            type_=problem_type("busy"),
            headers={"Retry-After": "1"},
        )
    return _unexpected_problem(request, exc)


# -- HTTP and everything else ----------------------------------------------------


def allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document gives the request's path (none if no path matches).

    As OpenAPI has it, a path without parameters wins over a templated one it also
    matches (``/orders/categories`` is not ``/orders/{order_id}``).
    """
    found: dict[int, set[str]] = {}
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            found.setdefault(template.count("{"), set()).update(m.upper() for m in operations)
    return sorted(found[min(found)]) if found else []


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) else title
    headers = exc.headers
    if exc.status_code == 404 and detail == title:
        detail = f"no route {request.url.path}"
    if exc.status_code == 400 and detail == "There was an error parsing the body":
        detail = "the request body cannot be read as JSON: send UTF-8 JSON"
    if exc.status_code == 405:
        # Starlette names only the first route that matched the path; a path can have
        # a GET route and a POST route: name every method the path has.
        allowed = allowed_methods(request) or [(headers or {}).get("Allow", "GET")]
        headers = {**(headers or {}), "Allow": ", ".join(allowed)}
        detail = f"{request.method} is not allowed on {request.url.path}; use {headers['Allow']}"
    return problem(request, exc.status_code, title, detail, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    return _unexpected_problem(request, exc)


def _unexpected_problem(request: Request, exc: Exception) -> JSONResponse:
    request_id = uuid.uuid4().hex
    logger.error(
        "request %s: %s %s raised an unexpected %s",
        request_id,
        request.method,
        request.url.path,
        type(exc).__name__,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return problem(
        request,
        500,
        "Internal server error",
        f"an unexpected error occurred; the server log has the details under request {request_id}",
        type_=problem_type("internal"),
        request_id=request_id,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register every mapping above on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(LedgerError, _ledger_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


# -- OpenAPI -----------------------------------------------------------------------

_DESCRIPTIONS = {
    400: "The request body cannot be read.",
    401: "No API key, or an unknown one.",
    403: "The key may not do this: another department's object, a role the key's department"
    " lacks, or a route of the other kind of key (department or auditor).",
    404: "An id that does not exist.",
    405: "The path does not take this method; `Allow` names those it takes.",
    409: "The contract reverted (`error` and `arguments` give its custom error), or the"
    " ledger is not configured for this yet.",
    413: "The request body is larger than the server accepts.",
    422: "The request is malformed or invalid.",
    503: "The ledger is busy, or the chain's node does not answer (`Retry-After`).",
}

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problems a route can return."""
    return {
        status: {"model": Problem, "description": _DESCRIPTIONS.get(status, "")}
        for status in statuses
    }


def install_problem_openapi(app: FastAPI) -> None:
    """Make the OpenAPI document say what the handlers send for errors.

    FastAPI files every response model under ``application/json`` and documents 422
    as its own validation error; here every 4xx/5xx response becomes a
    :class:`Problem` under ``application/problem+json``.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        settings = app.dependency_overrides.get(get_settings, get_settings)()
        for name, path in schema.get("paths", {}).items():
            for operation in path.values():
                _declare_common(operation, name, settings.read_api_key_required)
                for status, response in operation.get("responses", {}).items():
                    if str(status)[0] not in "45":
                        continue
                    response["content"] = {PROBLEM_JSON: {"schema": _PROBLEM_REF}}
                    if int(status) == 422:
                        response["description"] = _DESCRIPTIONS[422]
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("Problem", Problem.model_json_schema())
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _declare_common(operation: dict[str, Any], path: str, read_keys: bool) -> None:
    """Declare what any route of the ledger may answer: 503 (busy, or no node), for a
    body 400 and 413; and when reads need keys, the key (and 401) on read routes."""
    responses = operation.setdefault("responses", {})
    wanted = [] if path == "/" else [503]
    if "requestBody" in operation:
        wanted += [400, 413, 422]
    if read_keys and "security" not in operation and path != "/health":
        operation["security"] = [{"APIKeyHeader": []}]
        wanted.append(401)
    for status in wanted:
        responses.setdefault(str(status), {"description": _DESCRIPTIONS[status]})


# -- not found, translated once ------------------------------------------------------


#: What a write route may answer besides success: no key, a wrong key, an unknown id, a
#: contract revert, malformed input.
WRITE_PROBLEMS = problem_responses(401, 403, 404, 409, 422)
#: What a route that creates a new id may answer: as :data:`WRITE_PROBLEMS`, less the 404.
CREATE_PROBLEMS = problem_responses(401, 403, 409, 422)


def creates(
    router: APIRouter, path: str, summary: str, responses: Mapping[int | str, Any] = CREATE_PROBLEMS
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a route that creates something: ``POST path``, 201 Created."""
    return router.post(
        path, status_code=HTTPStatus.CREATED, summary=summary, responses=dict(responses)
    )


def one(rows: Iterable[Mapping[str, Any]], key: str, ident: str, kind: str) -> Mapping[str, Any]:
    """The row whose ``key`` is ``ident``; :class:`NotFoundError` (a 404) if none."""
    row = next((r for r in rows if r[key] == ident), None)
    if row is None:
        raise NotFoundError(kind, ident)
    return row


def unknown_is_404(revert: str, kind: str, param: str) -> Any:
    """A router dependency: the contract's "no such id" ``revert`` for the id in path
    parameter ``param`` becomes a 404 for that id (other reverts stay 409s)."""

    def translate(request: Request) -> Iterator[None]:
        ident = request.path_params.get(param)
        try:
            yield
        except ContractRevert as err:
            if ident is not None and err.name == revert:
                raise NotFoundError(kind, str(ident)) from err
            raise

    return Depends(translate)
