"""One request model per operation: the API route's body and the CLI command pass the
same class to the wrapper."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from typer.testing import CliRunner

from api.routes import api_router
from ledger.cli.main import app as cli
from ledger.errors import LedgerValueError
from ledger.mechanisms.attestations import AttestationsContract, StatisticCreate
from ledger.mechanisms.drills import DrillPlanCreate, DrillRecord, DrillsContract
from ledger.mechanisms.fields import build
from ledger.mechanisms.sharing import (
    AgreementCreate,
    CatalogItemCreate,
    DataSharingContract,
    DeliveryCreate,
)
from ledger.mechanisms.systems import SystemConnection, SystemCreate, SystemsContract
from ledger.mechanisms.workorders import CategorySet, OrderAccept, WorkOrdersContract

#: (method, path) of a write route -> the wrapper method that route calls.
OPERATIONS: dict[tuple[str, str], Any] = {
    ("POST", "/catalog/items"): DataSharingContract.register_item,
    ("POST", "/agreements"): DataSharingContract.commit_agreement,
    ("POST", "/agreements/{agreement_id}/deliveries"): DataSharingContract.record_delivery,
    ("POST", "/orders/categories"): WorkOrdersContract.set_category,
    ("POST", "/orders"): WorkOrdersContract.accept,
    ("POST", "/drills/plans"): DrillsContract.plan_drills,
    ("POST", "/drills/plans/{plan_id}/drills"): DrillsContract.record_drill,
    ("POST", "/systems"): SystemsContract.register_system,
    ("POST", "/systems/{system_id}/connect"): SystemsContract.connect,
    ("POST", "/systems/{system_id}/disconnect"): SystemsContract.disconnect,
    ("POST", "/statistics"): AttestationsContract.attest,
}

MODELS = {
    DataSharingContract.register_item: CatalogItemCreate,
    DataSharingContract.commit_agreement: AgreementCreate,
    DataSharingContract.record_delivery: DeliveryCreate,
    WorkOrdersContract.set_category: CategorySet,
    WorkOrdersContract.accept: OrderAccept,
    DrillsContract.plan_drills: DrillPlanCreate,
    DrillsContract.record_drill: DrillRecord,
    SystemsContract.register_system: SystemCreate,
    SystemsContract.connect: SystemConnection,
    SystemsContract.disconnect: SystemConnection,
    AttestationsContract.attest: StatisticCreate,
}


def _routes(router: Any) -> Iterator[APIRoute]:
    """Every route of ``router``, through the routers it includes."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router (FastAPI >= 0.16x)
            yield from _routes(route.original_router)


def _request_model(fn: Any) -> type:
    hints = typing.get_type_hints(fn)
    [model] = [t for t in hints.values() if isinstance(t, type) and hasattr(t, "model_fields")]
    return model


@pytest.mark.parametrize(("method", "path"), list(OPERATIONS))
def test_the_routes_body_is_the_wrappers_request_model(method: str, path: str) -> None:
    routes = {(m, r.path): r for r in _routes(api_router) for m in r.methods}
    route = routes[(method, path)]
    wrapper_method = OPERATIONS[(method, path)]

    assert typing.get_type_hints(route.endpoint)["body"] is _request_model(wrapper_method)
    assert _request_model(wrapper_method) is MODELS[wrapper_method]


def test_the_cli_passes_the_same_model_to_the_wrapper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[object] = []
    original = DataSharingContract.register_item

    def spy(self: DataSharingContract, provider: Any, item: CatalogItemCreate) -> Any:
        seen.append(item)
        return original(self, provider, item)

    monkeypatch.setattr(DataSharingContract, "register_item", spy)
    env = {"GOVLEDGER_HOME": str(tmp_path / "home"), "COLUMNS": "300"}
    runner = CliRunner()
    added = runner.invoke(cli, ["department", "add", "dcity.x", "--name", "X"], env=env)
    registered = runner.invoke(
        cli, ["item", "register", "item.x", "--department", "dcity.x", "--type", "t"], env=env
    )

    assert added.exit_code == 0, added.output
    assert registered.exit_code == 0, registered.output
    assert [type(m) for m in seen] == [CatalogItemCreate]
    assert seen[0] == CatalogItemCreate(
        item_id="item.x", data_type="t", permission="conditional", disclosure="on-request"
    )


def test_bad_input_to_a_request_model_is_a_ledger_value_error() -> None:
    with pytest.raises(LedgerValueError) as err:
        build(CatalogItemCreate, item_id="no spaces", data_type="t", permission="open",
              disclosure="api")  # fmt: skip

    assert str(err.value).startswith("item_id: id 'no spaces' must be 1-32 ASCII characters")
