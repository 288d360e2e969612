"""Problem details: every error is mapped in one place, with clear and safe messages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.errors import install_error_handlers
from ledger.errors import (
    ChainError,
    ContractRevert,
    KeystoreError,
    LedgerBusyError,
    LedgerValueError,
    RecordError,
    StoreError,
)
from tests.api.conftest import CIVIL, SECURITY, Api, assert_problem

SECRET = "postgresql://govledger:hunter2@db/index"


class _Strict(BaseModel):
    n: int


#: What each route of the bare app raises, made afresh for each request.
FAILURES: dict[str, Callable[[], Exception]] = {
    "/revert": lambda: ContractRevert(
        "Custom", {"who": "x", "raw": b"\x01\x02", "n": 2**70}, "Thing"
    ),
    "/busy": lambda: LedgerBusyError(f"another process holds {SECRET}"),
    "/ledger-error": lambda: StoreError(f"cannot open the index database {SECRET}"),
    "/keystore": lambda: KeystoreError(f"wrong password {SECRET}"),
    "/chain": lambda: ChainError(f"cannot reach {SECRET}"),
    "/record": lambda: RecordError("the record is malformed"),
    "/value": lambda: LedgerValueError(
        "unknown permission 'x'; use one of open, conditional, restricted"
    ),
    "/plain-value": lambda: ValueError(f"a bug, not input: {SECRET}"),
    "/crash": lambda: RuntimeError(f"internal state {SECRET}"),
}


def failing(make: Callable[[], Exception]) -> Callable[[], None]:
    def route() -> None:
        raise make()

    return route


@pytest.fixture(scope="module")
def bare() -> Iterator[TestClient]:
    """An app with nothing but the error handlers and routes that fail on purpose."""
    app = FastAPI()
    install_error_handlers(app)
    for path, make in FAILURES.items():
        app.add_api_route(path, failing(make), methods=["GET"])

    @app.get("/own-model")
    def own_model() -> None:
        _Strict.model_validate({"n": SECRET})

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_a_revert_is_409_with_json_safe_arguments(bare: TestClient) -> None:
    body = assert_problem(bare.get("/revert"), 409)

    assert body == {
        "type": "urn:govledger:problem:contract-revert",
        "title": "Contract reverted",
        "status": 409,
        "detail": f"the contract refused the call: Custom(who='x', raw=0x0102, n={2**70})",
        "instance": "/revert",
        "error": "Custom",
        "arguments": {"who": "x", "raw": "0x0102", "n": 2**70},
        "contract": "Thing",
    }


def test_busy_is_503_with_retry_after(bare: TestClient) -> None:
    response = bare.get("/busy")

    assert_problem(response, 503, "the ledger is busy; retry shortly")
    assert response.headers["retry-after"] == "1"
    assert SECRET not in response.text


def _internal_error(bare: TestClient, path: str) -> tuple[str, str]:
    """GET ``path``: a 500 problem that tells nothing of the cause but a request id.
    Returns the response's text and the request id."""
    response = bare.get(path)

    body = assert_problem(response, 500)
    request_id = body["request_id"]
    assert isinstance(request_id, str) and len(request_id) == 32
    assert body["detail"] == (
        "an unexpected error occurred; the server log has the details under request " + request_id
    )
    assert body["title"] == "Internal server error"
    assert SECRET not in response.text
    return response.text, request_id


@pytest.mark.parametrize("path", ["/ledger-error", "/keystore", "/chain"])
def test_other_ledger_errors_are_500_without_their_message(
    bare: TestClient, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    _, request_id = _internal_error(bare, path)
    assert any(request_id in r.getMessage() for r in caplog.records if r.name == "api")


def test_record_and_value_errors_are_422(bare: TestClient) -> None:
    assert_problem(bare.get("/record"), 422, "the record is malformed")
    assert_problem(
        bare.get("/value"),
        422,
        "unknown permission 'x'; use one of open, conditional, restricted",
    )


@pytest.mark.parametrize("path", ["/crash", "/own-model", "/plain-value"])
def test_unexpected_errors_are_500_with_no_internals(
    bare: TestClient, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    text, request_id = _internal_error(bare, path)
    assert "RuntimeError" not in text and "ValidationError" not in text
    logged = [r for r in caplog.records if r.name == "api" and request_id in r.getMessage()]
    assert logged and path in logged[0].getMessage() and logged[0].exc_info is not None


def test_unknown_route_and_method_are_problems(bare: TestClient) -> None:
    body = assert_problem(bare.get("/nowhere"), 404, "no route /nowhere")
    assert body["type"] == "about:blank"
    assert body["title"] == "Not Found"
    refused = bare.post("/revert")
    assert_problem(refused, 405, "POST is not allowed on /revert; use GET")
    assert refused.headers["allow"] == "GET"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("OPTIONS", "/orders", "GET, POST"),
        ("DELETE", "/orders/o.1", "GET"),
        ("PUT", "/findings/F1-1", "GET"),
        ("GET", "/findings/F1-1/review", "POST"),
        ("OPTIONS", "/scores", "GET, POST"),
        # a path without parameters wins over a templated one (not /orders/{order_id})
        ("OPTIONS", "/orders/categories", "POST"),
    ],
)
def test_a_wrong_method_names_every_method_of_the_path(
    api: Api, method: str, path: str, allowed: str
) -> None:
    response = api.client.request(method, path)

    assert_problem(response, 405, f"{method} is not allowed on {path}; use {allowed}")
    assert response.headers["allow"] == allowed


# -- request validation on the real app ----------------------------------------------


def test_malformed_json_is_422_saying_the_body_is_not_json(api: Api) -> None:
    response = api.client.post(
        "/catalog/items",
        content=b'{"item_id": "x",',
        headers={**api.auth(SECURITY), "Content-Type": "application/json"},
    )

    body = assert_problem(response, 422)
    assert body["detail"].startswith("the request body is not valid JSON: ")
    assert body["errors"][0]["type"] == "json_invalid"


def test_a_body_that_is_not_json_at_all_is_422(api: Api) -> None:
    response = api.client.post(
        "/catalog/items",
        content=b"item_id=x",
        headers={**api.auth(SECURITY), "Content-Type": "text/plain"},
    )

    assert_problem(
        response,
        422,
        "the request body must be a JSON object, sent with Content-Type: application/json",
    )


def test_a_body_in_another_charset_is_a_documented_400(api: Api) -> None:
    response = api.client.post(
        "/catalog/items",
        content='{"item_id": "é"}'.encode("latin-1"),
        headers={**api.auth(SECURITY), "Content-Type": "application/json; charset=latin-1"},
    )

    assert_problem(response, 400, "the request body cannot be read as JSON: send UTF-8 JSON")
    documented = api.app.openapi()["paths"]["/catalog/items"]["post"]["responses"]
    assert documented["400"]["description"] == "The request body cannot be read."


def test_a_missing_body_is_422(api: Api) -> None:
    response = api.client.post("/catalog/items", headers=api.auth(SECURITY))

    assert_problem(response, 422, "the request body is required (a JSON object)")


def test_validation_errors_never_echo_the_input(api: Api) -> None:
    secret = "do-not-echo-this-value"
    response = api.post("/catalog/items", SECURITY, {"item_id": 5, "note": secret})

    body = assert_problem(response, 422)
    assert secret not in response.text
    assert all("input" not in e for e in body["errors"])


def test_no_response_or_log_line_contains_an_api_key(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    delivery = {"period": 0, "record_count": 1, "payload_digest": "0x" + "00" * 32}
    responses = [
        api.client.get("/policies", headers=api.auth(CIVIL)),
        api.post("/catalog/items", CIVIL, {"item_id": "x y"}),
        api.post("/agreements/no.such.agr/deliveries", CIVIL, delivery),
        api.client.get("/health", headers=api.auth(CIVIL)),
    ]

    assert [r.status_code for r in responses] == [200, 422, 404, 200]
    for key in api.keys.values():
        assert all(key not in r.text for r in responses)
        assert key not in caplog.text


def test_the_key_guard_on_the_client_is_live(api: Api) -> None:
    # The session client checks every response for the keys in ``api.keys``: pretend a
    # department's name were a key, and a response that shows it must fail the check.
    api.keys["probe"] = "General Office"
    try:
        with pytest.raises(AssertionError, match="exposed the API key of probe"):
            api.client.get("/departments")
    finally:
        del api.keys["probe"]
