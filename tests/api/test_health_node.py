"""``/health`` on a JSON-RPC node: the head while it answers, 503 once it is gone."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from tests.api.conftest import assert_problem
from tests.conftest import make_settings
from tests.nodes import hardhat_node


def test_health_says_503_when_the_node_is_down(tmp_path: Path) -> None:
    with hardhat_node() as url:
        app = create_app(make_settings(tmp_path / "home", rpc_url=url))
        client = TestClient(app)
        client.__enter__()
        up = client.get("/health")
        assert up.status_code == 200, up.text
        assert up.json()["status"] == "ok" and up.json()["chain"] == "rpc"
    try:
        down = client.get("/health")
        body = assert_problem(down, 503)
        assert body["title"] == "Chain unavailable"
        port = url.rsplit(":", 1)[1]
        assert body["detail"].startswith(
            f"the JSON-RPC node at http://127.0.0.1:{port} does not answer ("
        )
        assert down.headers["retry-after"] == "5"
    finally:
        client.__exit__(None, None, None)
