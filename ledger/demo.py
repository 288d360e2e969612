"""The D-city data-sharing case, played onto a ledger by ``govledger demo``.

D city's general office issues the data-sharing measures; six bureaus register
catalog items and commit weekly deliveries to each other under its clauses. Over
eight weeks most deliveries arrive on time, some arrive late, and the customs
feed (vertical-ministry data that cannot be had yet) never arrives and is marked
missed. Every step is idempotent: a second run finds the work done and only
re-indexes, and a run cut short resumes where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ledger.core import Ledger
from ledger.errors import ContractRevert
from ledger.knowledge.loader import parse_record
from ledger.mechanisms.sharing import PeriodStatus, Permission

DAY = 86_400
WEEK = 7 * DAY
PERIODS = 8
POLICY_FILE = "dcity-sharing-policy.yaml"

DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("dcity.govoffice", "D-city General Office", ("ISSUER",)),
    ("dcity.bigdata", "D-city Big Data Bureau", ()),
    ("dcity.security", "D-city Public Security Bureau", ()),
    ("dcity.health", "D-city Health Commission", ()),
    ("dcity.transport", "D-city Transport Bureau", ()),
    ("dcity.market", "D-city Market Regulation Bureau", ()),
    ("dcity.civil", "D-city Civil Affairs Bureau", ()),
)


@dataclass(frozen=True)
class Item:
    item_id: str
    provider: str
    data_type: str
    permission: Permission
    disclosure: str


ITEMS: tuple[Item, ...] = (
    Item(
        "item.household",
        "dcity.security",
        "household-register",
        Permission.RESTRICTED,
        "on-request",
    ),
    Item(
        "item.vehicles", "dcity.security", "vehicle-register", Permission.CONDITIONAL, "on-request"
    ),
    Item("item.clinics", "dcity.health", "medical-institutions", Permission.OPEN, "open"),
    Item(
        "item.vaccination",
        "dcity.health",
        "vaccination-records",
        Permission.RESTRICTED,
        "on-request",
    ),
    Item("item.bus-gps", "dcity.transport", "bus-positions", Permission.OPEN, "open"),
    Item("item.licenses", "dcity.market", "business-licenses", Permission.OPEN, "open"),
    Item(
        "item.subsidies", "dcity.civil", "subsidy-recipients", Permission.RESTRICTED, "on-request"
    ),
    Item(
        "item.customs", "dcity.bigdata", "customs-declarations", Permission.CONDITIONAL, "reserved"
    ),
)


@dataclass(frozen=True)
class Agreement:
    agreement_id: str
    item_id: str
    consumer: str
    clause: str
    permission: Permission
    calls_per_period: int
    late: frozenset[int] = frozenset()  # periods delivered a day late
    missing: frozenset[int] = frozenset()  # periods never delivered


AGREEMENTS: tuple[Agreement, ...] = (
    Agreement(
        "agr.household-civil", "item.household", "dcity.civil", "c1", Permission.CONDITIONAL, 40_000
    ),
    Agreement(
        "agr.vehicles-transport",
        "item.vehicles",
        "dcity.transport",
        "c2",
        Permission.CONDITIONAL,
        25_000,
        late=frozenset({3}),
    ),
    Agreement(
        "agr.clinics-bigdata", "item.clinics", "dcity.bigdata", "c1", Permission.OPEN, 10_000
    ),
    Agreement(
        "agr.vaccination-civil",
        "item.vaccination",
        "dcity.civil",
        "c3",
        Permission.RESTRICTED,
        5_000,
    ),
    Agreement(
        "agr.bus-bigdata",
        "item.bus-gps",
        "dcity.bigdata",
        "c2",
        Permission.OPEN,
        120_000,
        late=frozenset({5, 6}),
    ),
    Agreement(
        "agr.licenses-security",
        "item.licenses",
        "dcity.security",
        "c1",
        Permission.OPEN,
        30_000,
        missing=frozenset({4}),
    ),
    Agreement(
        "agr.subsidies-health",
        "item.subsidies",
        "dcity.health",
        "c2",
        Permission.CONDITIONAL,
        8_000,
    ),
    Agreement(
        "agr.customs-market",
        "item.customs",
        "dcity.market",
        "c1",
        Permission.CONDITIONAL,
        2_000,
        missing=frozenset(range(PERIODS)),
    ),
)


def policy_record() -> Any:
    text = resources.files("ledger.scenarios").joinpath(POLICY_FILE).read_text("utf-8")
    return parse_record(text, source=POLICY_FILE)


def run_demo(ledger: Ledger, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Play the case onto ``ledger`` (idempotently) and index it."""
    before = ledger.w3.eth.block_number
    state_path = ledger.home / "demo.json"
    state: dict[str, Any] = json.loads(state_path.read_text()) if state_path.is_file() else {}
    total = len(DEPARTMENTS) + 1 + len(ITEMS) + len(AGREEMENTS) + PERIODS + 1
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    for dep_id, name, roles in DEPARTMENTS:
        ledger.register_department(dep_id, name, roles)
        step()
    record = policy_record()
    ledger.anchor_policy(record)
    step()

    if "start" not in state:
        state["start"] = ledger.now()
        state_path.write_text(json.dumps(state))
    start = int(state["start"])
    first_due = start + WEEK

    for item in ITEMS:
        with _unless_done("ItemExists"):
            ledger.register_item(
                item.provider, item.item_id, item.data_type, item.permission, item.disclosure
            )
        step()
    providers = {item.item_id: item.provider for item in ITEMS}
    for agr in AGREEMENTS:
        with _unless_done("AgreementExists"):
            ledger.commit_agreement(
                providers[agr.item_id],
                agreement_id=agr.agreement_id,
                item_id=agr.item_id,
                consumer_id=agr.consumer,
                policy_id=record.id,
                clause_id=agr.clause,
                permission=agr.permission,
                first_due_at=first_due,
                period=WEEK,
                periods=PERIODS,
                calls_per_period=agr.calls_per_period,
            )
        step()

    for period in range(PERIODS):
        due = first_due + period * WEEK
        _advance_to(ledger, due - 6 * 3600)
        for agr in AGREEMENTS:
            if period in agr.late or period in agr.missing:
                continue
            _deliver(ledger, providers[agr.item_id], agr, period)
        _advance_to(ledger, due + DAY)
        for agr in AGREEMENTS:
            if period in agr.late:
                _deliver(ledger, providers[agr.item_id], agr, period)
            elif period in agr.missing and _status(ledger, agr, period) is PeriodStatus.OPEN:
                ledger.mark_missed(agr.agreement_id, period)
        step()

    report = ledger.sync()
    step()
    after = ledger.w3.eth.block_number
    return {
        "chain": ledger.handle.kind,
        "transactions": after - before,
        "events": ledger.store.count(),
        "indexedTo": report.to_block,
        "departments": len(DEPARTMENTS),
        "items": len(ITEMS),
        "agreements": len(AGREEMENTS),
    }


def _deliver(ledger: Ledger, provider: str, agr: Agreement, period: int) -> None:
    if _status(ledger, agr, period) is not PeriodStatus.OPEN:
        return
    payload = f"{agr.agreement_id}/{period}".encode()
    ledger.record_delivery(provider, agr.agreement_id, period, 1000 + 37 * period, payload)


def _status(ledger: Ledger, agr: Agreement, period: int) -> PeriodStatus:
    return ledger.sharing.period_status(agr.agreement_id, period)


def _advance_to(ledger: Ledger, timestamp: int) -> None:
    now = ledger.now()
    if now < timestamp:
        ledger.advance_time(timestamp - now)


@contextmanager
def _unless_done(error_name: str) -> Iterator[None]:
    """Run the block; a revert with ``error_name`` means it was done before."""
    try:
        yield
    except ContractRevert as err:
        if err.name != error_name:
            raise
