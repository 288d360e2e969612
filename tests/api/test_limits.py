"""No request body can stop the server: size and nesting are bounded before parsing."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from api.limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, BodyLimits, json_depth_exceeds
from tests.api.conftest import SECURITY, Api, assert_problem

DEEP = "[" * 100_000 + "]" * 100_000


def test_a_body_nested_100000_deep_is_422_on_every_post_route(api: Api) -> None:
    posts = [
        path
        for path, item in api.app.openapi()["paths"].items()
        if "post" in item and "{" not in path
    ]
    assert len(posts) >= 10
    for path in posts:
        response = api.client.post(
            path,
            content=DEEP,
            headers={**api.auth(SECURITY), "Content-Type": "application/json"},
        )
        body = assert_problem(
            response, 422, f"the request body nests JSON deeper than {MAX_JSON_DEPTH} levels"
        )
        assert body["instance"] == path
    assert api.client.get("/health").status_code == 200


def test_a_body_over_the_size_limit_is_413(api: Api) -> None:
    response = api.client.post(
        "/effects/entries",
        content=b" " * (MAX_BODY_BYTES + 1),
        headers={**api.auth(SECURITY), "Content-Type": "application/json"},
    )
    assert_problem(response, 413, f"the request body is larger than {MAX_BODY_BYTES} bytes")


def test_bodies_within_bounds_reach_the_route() -> None:
    app = FastAPI()
    app.add_middleware(BodyLimits, max_bytes=100, max_depth=3)

    @app.post("/echo")
    def echo(body: dict[str, Any]) -> dict[str, Any]:
        return body

    with TestClient(app) as client:
        ok = {"a": [[1]], "s": "[[[[[[[[ not nesting ]"}
        assert client.post("/echo", json=ok).json() == ok
        deep = client.post("/echo", json={"a": [[[1]]]})
        assert deep.status_code == 422
        assert deep.json()["detail"] == "the request body nests JSON deeper than 3 levels"
        big = client.post("/echo", json={"a": "x" * 200})
        assert big.status_code == 413
        assert big.headers["content-type"] == "application/problem+json"


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab'),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\k', max_size=3), inner, max_size=3)
    ),
    max_leaves=30,
)


@given(json_values, st.integers(min_value=0, max_value=8))
def test_depth_scan_agrees_with_the_parsed_value(value: Any, limit: int) -> None:
    body = json.dumps(value).encode()
    assert json_depth_exceeds(body, limit) == (_depth(value) > limit)


def test_importing_the_ledger_leaves_a_safe_recursion_limit() -> None:
    code = "import sys, api.main, ledger.cli.main, web3, eth_tester; print(sys.getrecursionlimit())"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert int(done.stdout) < 100_000
