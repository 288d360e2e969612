"""Systems: business systems, reserved slots, and connections under clauses in force."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.core import Ledger
from ledger.mechanisms.systems import SystemConnection, SystemCreate, SystemInfo, SystemsContract
from tests.contracts.conftest import (
    CIVIL,
    SECURITY,
    ZERO,
    ZERO_ID,
    b32,
    clause,
    contract_fixture,
    emitted,
    event_names,
    policy_fixture,
    reverts,
)

POLICY = "test.systems"
CLAUSE = "connect"
#: The clause systems are connected under.
UNDER = SystemConnection(policy_id=POLICY, clause_id=CLAUSE)
MINUTE = 60


def register(
    ledger: Ledger,
    systems: SystemsContract,
    signer: Signer,
    system_id: str | bytes = "sys.police",
    kind: str | bytes = "police-dispatch",
    heartbeat_interval: int = 5 * MINUTE,
    feeds_data_center: bool = True,
    reserved: bool = False,
) -> TxReceipt:
    """Send ``registerSystem`` as given, with no client-side checks."""
    fn = systems.contract.functions.registerSystem(
        {
            "systemId": b32(system_id),
            "kind": b32(kind),
            "heartbeatInterval": heartbeat_interval,
            "feedsDataCenter": feeds_data_center,
            "reserved": reserved,
        }
    )
    return ledger.tx.send(signer, fn, "Systems")


def linked(system_id: str) -> dict[str, object]:
    """The arguments of a SystemConnected or SystemDisconnected event of the security bureau."""
    return {"systemId": system_id, "policyId": POLICY, "ownerId": SECURITY, "clauseId": CLAUSE}


systems = contract_fixture(SystemsContract, "systems")

#: A command-center policy in force whose clause ``connect`` obliges T1 >= 0.9.
CONNECT = clause(CLAUSE, "Connect every business system to the command center.", "T1")
policy = policy_fixture(
    POLICY, "Command center interconnection measures", CONNECT, element="technical_support"
)


#: The security bureau's police dispatch system, feeding the data center.
POLICE = SystemCreate(
    system_id="sys.police",
    kind="police-dispatch",
    heartbeat_seconds=5 * MINUTE,
    feeds_data_center=True,
)


def slot(ministry: str) -> SystemCreate:
    """A reserved slot ``slot.<ministry>`` for the data of a vertical ministry."""
    return SystemCreate(
        system_id=f"slot.{ministry}",
        kind=ministry,
        heartbeat_seconds=3_600,
        feeds_data_center=True,
        reserved=True,
    )


@pytest.fixture
def police(ledger: Ledger, systems: SystemsContract, security: Signer, policy: str) -> str:
    """The security bureau's police dispatch system: registered, feeding the data center."""
    systems.register_system(security, POLICE)
    return "sys.police"


@pytest.fixture
def customs(ledger: Ledger, systems: SystemsContract, security: Signer, policy: str) -> str:
    """A reserved slot for the customs data of a vertical ministry, not available yet."""
    systems.register_system(security, slot("customs"))
    return "slot.customs"


# -- registerSystem ----------------------------------------------------------------


def test_register_emits_system_registered(
    ledger: Ledger, systems: SystemsContract, security: Signer
) -> None:
    receipt = systems.register_system(security, POLICE)

    assert emitted(systems, "SystemRegistered", receipt) == [
        {
            "systemId": "sys.police",
            "ownerId": SECURITY,
            "kind": "police-dispatch",
            "heartbeatInterval": 5 * MINUTE,
            "feedsDataCenter": True,
            "reserved": False,
        }
    ]
    assert event_names(ledger, receipt) == ["SystemRegistered"]
    assert systems.system_of("sys.police") == SystemInfo(
        system_id="sys.police",
        owner_id=SECURITY,
        kind="police-dispatch",
        heartbeat_interval=5 * MINUTE,
        feeds_data_center=True,
        reserved=False,
        connected=False,
    )


def test_d_city_interconnection(
    ledger: Ledger, systems: SystemsContract, security: Signer, civil: Signer, policy: str
) -> None:
    """29 connected systems, 16 of them feeding the data center, and the customs and tax
    data of vertical ministries reserved as slots that stay unconnected."""
    for n in range(29):
        owner = security if n % 2 else civil
        system_id = f"sys.{n:02d}"
        systems.register_system(
            owner,
            SystemCreate(
                system_id=system_id,
                kind="business",
                heartbeat_seconds=MINUTE,
                feeds_data_center=n < 16,
            ),
        )
        systems.connect(owner, system_id, UNDER)
    for ministry in ("customs", "tax"):
        receipt = systems.register_system(security, slot(ministry))
        assert [e["reserved"] for e in emitted(systems, "SystemRegistered", receipt)] == [True]

    infos = [systems.system_of(f"sys.{n:02d}") for n in range(29)]
    slots = [systems.system_of(s) for s in ("slot.customs", "slot.tax")]
    assert all(i.connected for i in infos)
    assert sum(i.feeds_data_center for i in infos) == 16
    assert [(s.reserved, s.connected) for s in slots] == [(True, False)] * 2
    assert {i.owner_id for i in infos} == {SECURITY, CIVIL}


def test_invalid_systems(ledger: Ledger, systems: SystemsContract, security: Signer) -> None:
    with reverts(
        ledger, "InvalidSystem", systemId=ZERO_ID, kind="police-dispatch", heartbeatInterval=300
    ):
        register(ledger, systems, security, system_id=ZERO)
    with reverts(ledger, "InvalidSystem", systemId="sys.x", kind=ZERO_ID, heartbeatInterval=300):
        register(ledger, systems, security, system_id="sys.x", kind=ZERO)
    with reverts(
        ledger, "InvalidSystem", systemId="sys.x", kind="police-dispatch", heartbeatInterval=0
    ):
        register(ledger, systems, security, system_id="sys.x", heartbeat_interval=0)


def test_system_id_taken(
    ledger: Ledger, systems: SystemsContract, security: Signer, civil: Signer, police: str
) -> None:
    for signer in (security, civil):
        with reverts(ledger, "SystemExists", systemId=police):
            register(ledger, systems, signer, system_id=police, kind="other", reserved=True)


def test_only_a_department_registers(
    ledger: Ledger, systems: SystemsContract, stranger: Signer
) -> None:
    for signer in (stranger, ledger.admin):
        with reverts(ledger, "NotADepartment", account=signer.address):
            register(ledger, systems, signer)


# -- reserved slots ----------------------------------------------------------------


def test_a_reserved_slot_connects_only_once_filled(
    ledger: Ledger, systems: SystemsContract, security: Signer, customs: str
) -> None:
    assert systems.system_of(customs).reserved
    with reverts(ledger, "SlotReserved", systemId=customs):
        systems.connect(security, customs, UNDER)

    filled = systems.fill_slot(security, customs)

    assert emitted(systems, "SlotFilled", filled) == [{"systemId": customs, "ownerId": SECURITY}]
    assert event_names(ledger, filled) == ["SlotFilled"]
    assert systems.system_of(customs) == SystemInfo(
        system_id=customs,
        owner_id=SECURITY,
        kind="customs",
        heartbeat_interval=3_600,
        feeds_data_center=True,
        reserved=False,
        connected=False,
    )
    connected = systems.connect(security, customs, UNDER)
    assert emitted(systems, "SystemConnected", connected) == [linked(customs)]


def test_only_a_reserved_slot_is_filled(
    ledger: Ledger, systems: SystemsContract, security: Signer, police: str, customs: str
) -> None:
    with reverts(ledger, "SlotNotReserved", systemId=police):
        systems.fill_slot(security, police)
    systems.fill_slot(security, customs)
    with reverts(ledger, "SlotNotReserved", systemId=customs):
        systems.fill_slot(security, customs)


def test_only_the_owner_fills_a_slot(
    ledger: Ledger, systems: SystemsContract, civil: Signer, stranger: Signer, customs: str
) -> None:
    with reverts(ledger, "NotSystemOwner", systemId=customs, callerId=CIVIL):
        systems.fill_slot(civil, customs)
    with reverts(ledger, "NotADepartment", account=stranger.address):
        systems.fill_slot(stranger, customs)
    with reverts(ledger, "SystemUnknown", systemId="slot.none"):
        systems.fill_slot(civil, "slot.none")
    assert systems.system_of(customs).reserved


# -- connect and disconnect --------------------------------------------------------


def test_connect_and_disconnect(
    ledger: Ledger, systems: SystemsContract, security: Signer, police: str
) -> None:
    connected = systems.connect(security, police, UNDER)

    assert emitted(systems, "SystemConnected", connected) == [linked(police)]
    assert event_names(ledger, connected) == ["SystemConnected"]
    assert systems.system_of(police).connected

    disconnected = systems.disconnect(security, police, UNDER)

    assert emitted(systems, "SystemDisconnected", disconnected) == [linked(police)]
    assert event_names(ledger, disconnected) == ["SystemDisconnected"]
    assert not systems.system_of(police).connected

    again = systems.connect(security, police, UNDER)
    assert emitted(systems, "SystemConnected", again) == [linked(police)]


def test_connecting_twice_or_disconnecting_a_disconnected_system(
    ledger: Ledger, systems: SystemsContract, security: Signer, police: str
) -> None:
    with reverts(ledger, "SystemNotConnected", systemId=police):
        systems.disconnect(security, police, UNDER)
    systems.connect(security, police, UNDER)
    with reverts(ledger, "SystemAlreadyConnected", systemId=police):
        systems.connect(security, police, UNDER)
    systems.disconnect(security, police, UNDER)
    with reverts(ledger, "SystemNotConnected", systemId=police):
        systems.disconnect(security, police, UNDER)


def test_only_the_owner_connects_and_disconnects(
    ledger: Ledger,
    systems: SystemsContract,
    security: Signer,
    civil: Signer,
    stranger: Signer,
    police: str,
) -> None:
    def refused(act: Callable[[Signer, str, SystemConnection], object]) -> None:
        with reverts(ledger, "NotSystemOwner", systemId=police, callerId=CIVIL):
            act(civil, police, UNDER)
        with reverts(ledger, "NotADepartment", account=stranger.address):
            act(stranger, police, UNDER)
        with reverts(ledger, "SystemUnknown", systemId="sys.none"):
            act(security, "sys.none", UNDER)

    refused(systems.connect)
    systems.connect(security, police, UNDER)
    refused(systems.disconnect)
    assert systems.system_of(police).connected


def test_connections_cite_a_clause_in_force(
    ledger: Ledger, systems: SystemsContract, security: Signer, issuer: Signer, police: str
) -> None:
    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId="c9"):
        systems.connect(security, police, SystemConnection(policy_id=POLICY, clause_id="c9"))
    with reverts(ledger, "ClauseNotInForce", policyId="p.none", clauseId=CLAUSE):
        systems.connect(security, police, SystemConnection(policy_id="p.none", clause_id=CLAUSE))

    systems.connect(security, police, UNDER)
    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId="c9"):
        systems.disconnect(security, police, SystemConnection(policy_id=POLICY, clause_id="c9"))

    ledger.policies.revoke(issuer, POLICY)

    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId=CLAUSE):
        systems.disconnect(security, police, UNDER)
    # Another clause in force still carries the disconnection.
    receipt = systems.disconnect(
        security, police, SystemConnection(policy_id="test.sharing", clause_id="c4")
    )
    assert emitted(systems, "SystemDisconnected", receipt) == [
        {"systemId": police, "policyId": "test.sharing", "ownerId": SECURITY, "clauseId": "c4"}
    ]


# -- views and the wrapper -----------------------------------------------------------


def test_system_of_unknown_system(ledger: Ledger, systems: SystemsContract) -> None:
    with reverts(ledger, "SystemUnknown", systemId="sys.none"):
        systems.system_of("sys.none")
    with reverts(ledger, "SystemUnknown", systemId=ZERO_ID):
        ledger.tx.call(systems.contract.functions.systemOf(ZERO), "Systems")


def test_wrapper_refuses_malformed_ids(systems: SystemsContract, security: Signer) -> None:
    with pytest.raises(ValueError, match="system_id"):  # pydantic's ValidationError
        systems.register_system(
            security,
            SystemCreate(system_id="", kind="kind", heartbeat_seconds=60, feeds_data_center=False),
        )
    with pytest.raises(ValueError, match="kind"):
        systems.register_system(
            security,
            SystemCreate(
                system_id="sys.x", kind="a kind", heartbeat_seconds=60, feeds_data_center=False
            ),
        )
    with pytest.raises(ValueError, match="clause_id"):
        systems.connect(security, "sys.x", SystemConnection(policy_id=POLICY, clause_id="x" * 33))
