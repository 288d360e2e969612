"""The Jurisdictions service: writes through the Directory as the admin or a REGISTRAR
department, the tree, one jurisdiction's detail, and the events the indexer stores."""

from __future__ import annotations

import pytest

from ledger.core import Ledger
from ledger.errors import ContractRevert, ForbiddenError, LedgerValueError
from ledger.jurisdictions import (
    JurisdictionDetail,
    Milestone,
    Tier,
    detail_row,
    node_rows,
    tier_of,
)
from ledger.mechanisms.base import role_id
from ledger.mechanisms.directory import DEFAULT_MILESTONES, JurisdictionInfo
from tests.contracts.conftest import CIVIL, HEALTH, SECURITY, ZERO_ID, events, granted

ISSUER = "dcity.govoffice"
REGISTRAR_HEX = "0x" + role_id("REGISTRAR").hex()


@pytest.fixture
def city(ledger: Ledger) -> Ledger:
    """L province > D city > east and west districts > a street in the east; the security
    bureau in the city, civil affairs in the east district."""
    j = ledger.jurisdictions
    j.create("l", None, "province", "L Province")
    j.create("l.d", "l", "city", "D City")
    j.create("l.d.east", "l.d", "district", "East District")
    j.create("l.d.west", "l.d", 3, "West District")
    j.create("l.d.east.s1", "l.d.east", Tier.STREET, "First Street")
    j.place(SECURITY, "l.d")
    j.place(CIVIL, "l.d.east")
    return ledger


def test_tiers_by_number_or_name() -> None:
    assert tier_of("Grid") is Tier.GRID
    assert tier_of(" street ") is Tier.STREET
    assert tier_of(3) is Tier.DISTRICT
    assert tier_of("5") is Tier.COMMUNITY
    assert [t.label for t in Tier] == [
        "province",
        "city",
        "district",
        "street",
        "community",
        "grid",
    ]
    for bad in ("planet", 0, 7, "7", ""):
        with pytest.raises(LedgerValueError, match="unknown tier"):
            tier_of(bad)


def test_the_tree_and_its_rows(city: Ledger) -> None:
    [root] = city.jurisdictions.tree()
    assert (root.id, root.tier, root.departments) == ("l", Tier.PROVINCE, [])
    [dcity] = root.children
    assert dcity.departments == [SECURITY]
    assert [c.id for c in dcity.children] == ["l.d.east", "l.d.west"]
    assert dcity.children[0].departments == [CIVIL]

    rows = node_rows(city.jurisdictions.tree())
    assert [(r["id"], r["depth"]) for r in rows] == [
        ("l", 0),
        ("l.d", 1),
        ("l.d.east", 2),
        ("l.d.east.s1", 3),
        ("l.d.west", 2),
    ]
    assert rows[2] == {
        "id": "l.d.east",
        "parentId": "l.d",
        "tier": 3,
        "tierName": "district",
        "name": "East District",
        "departments": [CIVIL],
        "children": ["l.d.east.s1"],
        "depth": 2,
    }
    assert [j.id for j in city.jurisdictions.list()] == [
        "l",
        "l.d",
        "l.d.east",
        "l.d.west",
        "l.d.east.s1",
    ]


def test_show_gives_path_children_departments_and_targets(city: Ledger) -> None:
    detail = city.jurisdictions.show("l.d.east")
    assert detail == JurisdictionDetail(
        id="l.d.east",
        parent_id="l.d",
        tier=Tier.DISTRICT,
        name="East District",
        path=["l", "l.d"],
        children=["l.d.east.s1"],
        departments=[CIVIL],
        milestones=list(DEFAULT_MILESTONES),
    )
    assert detail_row(detail)["milestones"] == [
        {"at": 1767225599, "time": "2025-12-31T23:59:59Z", "level": 4},
        {"at": 2082758399, "time": "2035-12-31T23:59:59Z", "level": 5},
    ]
    assert city.jurisdictions.show("l").path == []
    with pytest.raises(ContractRevert) as err:
        city.jurisdictions.show("nowhere")
    assert (err.value.name, err.value.arguments) == (
        "JurisdictionUnknown",
        {"jurisdictionId": "nowhere"},
    )


def test_place_is_a_first_placement_then_a_move(city: Ledger) -> None:
    first = city.jurisdictions.place(HEALTH, "l.d.west")
    assert events(city, "Directory", "DepartmentPlaced", first) == [
        {"departmentId": HEALTH, "fromJurisdictionId": ZERO_ID, "toJurisdictionId": "l.d.west"}
    ]
    moved = city.jurisdictions.place(HEALTH, "l.d.east.s1")
    assert events(city, "Directory", "DepartmentPlaced", moved) == [
        {
            "departmentId": HEALTH,
            "fromJurisdictionId": "l.d.west",
            "toJurisdictionId": "l.d.east.s1",
        }
    ]
    assert city.jurisdictions.of(HEALTH) == "l.d.east.s1"
    assert city.jurisdictions.of(ISSUER) is None
    with pytest.raises(ContractRevert) as err:
        city.jurisdictions.place(HEALTH, "l.d.east.s1")
    assert err.value.name == "DepartmentAlreadyPlaced"


def test_moving_a_subtree_moves_its_departments_with_it(city: Ledger) -> None:
    city.jurisdictions.create("l.k", "l", "city", "K City")
    city.jurisdictions.move("l.d.east", "l.k")
    assert city.jurisdictions.show("l.d.east").path == ["l", "l.k"]
    assert city.jurisdictions.show("l.k").children == ["l.d.east"]
    assert city.jurisdictions.show("l.d").children == ["l.d.west"]
    assert city.jurisdictions.of(CIVIL) == "l.d.east"


def test_milestones_set_and_restored(city: Ledger) -> None:
    city.jurisdictions.set_milestones("l.d", [(1_735_689_599, 3), (1_767_225_599, 4)])
    assert city.jurisdictions.milestones("l.d") == [
        Milestone(1_735_689_599, 3),
        Milestone(1_767_225_599, 4),
    ]
    city.jurisdictions.set_milestones("l.d", [])
    assert city.jurisdictions.milestones("l.d") == list(DEFAULT_MILESTONES)
    with pytest.raises(LedgerValueError, match="milestone time"):
        city.jurisdictions.set_milestones("l.d", [(2**64, 4)])
    with pytest.raises(LedgerValueError, match="milestone level"):
        city.jurisdictions.set_milestones("l.d", [(1_767_225_599, 256)])


def test_bad_input_is_refused_before_the_chain(city: Ledger) -> None:
    before = city.w3.eth.block_number
    with pytest.raises(LedgerValueError, match="must not be empty"):
        city.jurisdictions.create("l.x", "l", "city", "  ")
    with pytest.raises(LedgerValueError, match="must not be empty"):
        city.jurisdictions.rename("l.d", "")
    with pytest.raises(LedgerValueError, match="jurisdiction id"):
        city.jurisdictions.create("bad id", "l", "city", "X")
    with pytest.raises(LedgerValueError, match="unknown tier"):
        city.jurisdictions.create("l.x", "l", "metropolis", "X")
    assert city.w3.eth.block_number == before


def test_a_department_needs_registrar(city: Ledger) -> None:
    with pytest.raises(ForbiddenError, match="does not hold the REGISTRAR role"):
        city.jurisdictions.create("l.x", "l", "city", "X", by=CIVIL)
    with pytest.raises(ForbiddenError):
        city.jurisdictions.place(HEALTH, "l.d", by=CIVIL)

    signer = granted(city, CIVIL, "REGISTRAR")
    ref = city.jurisdictions.create("l.x", "l", "city", "X", by=CIVIL)
    tx = city.w3.eth.get_transaction(ref.tx_hash)  # type: ignore[arg-type]
    assert tx["from"] == signer.address
    assert city.directory.jurisdiction("l.x") == JurisdictionInfo("l.x", "l", Tier.CITY, "X")


def test_without_the_precheck_the_chain_refuses_a_department_without_registrar(
    city: Ledger, bulk: Ledger
) -> None:
    with pytest.raises(ContractRevert) as err:  # mined as a failed transaction
        city.jurisdictions.move("l.d.west", "l", by=CIVIL)
    assert (err.value.name, err.value.arguments) == (
        "AccessControlUnauthorizedAccount",
        {"account": city.directory.account_of(CIVIL), "neededRole": REGISTRAR_HEX},
    )
    assert city.directory.jurisdiction("l.d.west").parent_id == "l.d"


def test_the_indexer_stores_the_tree_events_with_ids_as_text(city: Ledger) -> None:
    city.jurisdictions.rename("l.d.west", "West")
    city.jurisdictions.move("l.d.west", None)
    city.jurisdictions.place(CIVIL, "l.d.west")
    city.jurisdictions.set_milestones("l.d", [(1_767_225_599, 3)])
    city.indexer.sync()
    names = ["JurisdictionCreated", "JurisdictionRenamed", "JurisdictionMoved"]
    names += ["DepartmentPlaced", "MilestonesSet"]
    stored = [(e.event, e.args) for e in city.store.events(contract="Directory", names=names)]

    def created(ident: str, parent: str, tier: int, name: str) -> tuple[str, dict[str, object]]:
        args = {"jurisdictionId": ident, "parentId": parent, "tier": tier, "name": name}
        return "JurisdictionCreated", args

    def placed(department: str, old: str, new: str) -> tuple[str, dict[str, object]]:
        args = {"departmentId": department, "fromJurisdictionId": old, "toJurisdictionId": new}
        return "DepartmentPlaced", args

    moved = {"jurisdictionId": "l.d.west", "fromParentId": "l.d", "toParentId": ZERO_ID}
    assert stored == [
        created("l", ZERO_ID, 1, "L Province"),
        created("l.d", "l", 2, "D City"),
        created("l.d.east", "l.d", 3, "East District"),
        created("l.d.west", "l.d", 3, "West District"),
        created("l.d.east.s1", "l.d.east", 4, "First Street"),
        placed(SECURITY, ZERO_ID, "l.d"),
        placed(CIVIL, ZERO_ID, "l.d.east"),
        ("JurisdictionRenamed", {"jurisdictionId": "l.d.west", "name": "West"}),
        ("JurisdictionMoved", moved),
        placed(CIVIL, "l.d.east", "l.d.west"),
        ("MilestonesSet", {"jurisdictionId": "l.d", "times": [1_767_225_599], "levels": [3]}),
    ]
    placed = city.store.events(
        contract="Directory", names=["DepartmentPlaced"], department_id=CIVIL
    )
    assert [e.args["toJurisdictionId"] for e in placed] == ["l.d.east", "l.d.west"]
