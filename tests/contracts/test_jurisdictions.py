"""Directory: the jurisdiction tree (province to grid), where departments sit, staged targets.

Every write needs REGISTRAR_ROLE (the administrator holds it from deployment); each refusal
is a custom error with its arguments, and each accepted write emits its one event.
"""

from __future__ import annotations

from typing import Any

import pytest
from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.core import Ledger
from ledger.mechanisms.base import role_id
from ledger.mechanisms.directory import DEFAULT_MILESTONES, JurisdictionInfo, Milestone, Tier
from tests.contracts.conftest import (
    CIVIL,
    HEALTH,
    SECURITY,
    ZERO,
    ZERO_ID,
    b32,
    call,
    event_names,
    events,
    granted,
    reverts,
    send,
)

REGISTRAR_HEX = "0x" + role_id("REGISTRAR").hex()

#: A chain of every tier, province down to grid: (id, parent, tier, name).
CHAIN: tuple[tuple[str, str | None, int, str], ...] = (
    ("l", None, 1, "L Province"),
    ("l.d", "l", 2, "D City"),
    ("l.d.east", "l.d", 3, "East District"),
    ("l.d.east.s1", "l.d.east", 4, "First Street"),
    ("l.d.east.s1.c1", "l.d.east.s1", 5, "Riverside Community"),
    ("l.d.east.s1.c1.g1", "l.d.east.s1.c1", 6, "Grid 1"),
)


def create(
    ledger: Ledger,
    jurisdiction_id: str | bytes,
    parent: str | bytes | None,
    tier: int,
    name: str = "Somewhere",
    signer: Signer | None = None,
) -> TxReceipt:
    """``createJurisdiction`` sent raw (no client-side checks), as the admin unless ``signer``."""
    return send(
        ledger,
        signer or ledger.admin,
        "Directory",
        "createJurisdiction",
        b32(jurisdiction_id),
        ZERO if parent is None else b32(parent),
        tier,
        name,
    )


def directory(ledger: Ledger, method: str, *args: Any, signer: Signer | None = None) -> TxReceipt:
    """A raw Directory write (no client-side checks), text ids encoded where the function
    takes a ``bytes32``; as the admin unless ``signer``."""
    abi = next(
        item
        for item in ledger.directory.contract.abi
        if item["type"] == "function" and item["name"] == method
    )
    raw = [
        b32(a) if i["type"] == "bytes32" and isinstance(a, str) else a
        for i, a in zip(abi["inputs"], args, strict=True)
    ]
    return send(ledger, signer or ledger.admin, "Directory", method, *raw)


def build_chain(ledger: Ledger) -> None:
    for jurisdiction_id, parent, tier, name in CHAIN:
        ledger.jurisdictions.create(jurisdiction_id, parent, tier, name)


# -- create -----------------------------------------------------------------------------


def test_create_emits_event_and_reads_back(ledger: Ledger) -> None:
    root = create(ledger, "l", None, 1, "L Province")
    child = create(ledger, "l.d", "l", 2, "D City")

    assert events(ledger, "Directory", "JurisdictionCreated", root) == [
        {"jurisdictionId": "l", "parentId": ZERO_ID, "tier": 1, "name": "L Province"}
    ]
    assert events(ledger, "Directory", "JurisdictionCreated", child) == [
        {"jurisdictionId": "l.d", "parentId": "l", "tier": 2, "name": "D City"}
    ]
    assert event_names(ledger, child) == ["JurisdictionCreated"]
    assert ledger.directory.jurisdiction("l.d") == JurisdictionInfo("l.d", "l", Tier.CITY, "D City")
    assert ledger.directory.jurisdiction("l") == JurisdictionInfo(
        "l", None, Tier.PROVINCE, "L Province"
    )
    assert ledger.directory.jurisdiction_ids() == ["l", "l.d"]


def test_every_tier_in_one_chain_and_the_tree_view(ledger: Ledger) -> None:
    build_chain(ledger)
    assert ledger.directory.jurisdiction_tree() == [
        JurisdictionInfo(j, p, Tier(t), n) for j, p, t, n in CHAIN
    ]
    ids, parents, tiers, names = call(ledger, "Directory", "jurisdictionTree")
    assert [bytes(i) for i in ids] == [b32(j) for j, *_ in CHAIN]
    assert [bytes(p) for p in parents] == [ZERO, *(b32(p) for _, p, *_ in CHAIN[1:] if p)]
    assert list(tiers) == [1, 2, 3, 4, 5, 6]
    assert list(names) == [n for *_, n in CHAIN]


def test_a_root_may_have_any_tier_and_a_child_may_skip_tiers(ledger: Ledger) -> None:
    create(ledger, "town", None, 4)
    create(ledger, "town.grid", "town", 6)
    assert ledger.directory.jurisdiction("town.grid").tier is Tier.GRID


def test_create_refusals(ledger: Ledger) -> None:
    create(ledger, "l", None, 1)
    create(ledger, "l.d", "l", 2)
    with reverts(ledger, "JurisdictionExists", jurisdictionId="l.d"):
        create(ledger, "l.d", "l", 2)
    with reverts(ledger, "JurisdictionExists", jurisdictionId="l"):
        create(ledger, "l", None, 1)
    with reverts(ledger, "InvalidJurisdiction", jurisdictionId=ZERO_ID):
        create(ledger, ZERO, None, 1)
    with reverts(ledger, "JurisdictionUnknown", jurisdictionId="nowhere"):
        create(ledger, "x", "nowhere", 3)
    assert ledger.directory.jurisdiction_ids() == ["l", "l.d"]


@pytest.mark.parametrize(
    ("parent", "tier", "parent_tier"),
    [
        (None, 0, 0),  # no tier 0
        (None, 7, 0),  # nothing below grid
        ("l.d", 2, 2),  # a child's tier equal to its parent's
        ("l.d", 1, 2),  # or above it
        ("l.d", 255, 2),
    ],
)
def test_invalid_tier(ledger: Ledger, parent: str | None, tier: int, parent_tier: int) -> None:
    create(ledger, "l", None, 1)
    create(ledger, "l.d", "l", 2)
    with reverts(ledger, "InvalidTier", jurisdictionId="x", tier=tier, parentTier=parent_tier):
        create(ledger, "x", parent, tier)


# -- roles ------------------------------------------------------------------------------

#: Every REGISTRAR write, with arguments that would succeed for a registrar.
WRITES: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("createJurisdiction", ("l.new", "l", 2, "New")),
    ("renameJurisdiction", ("l", "Renamed")),
    ("moveJurisdiction", ("l.d.east", "l")),
    ("placeDepartment", (CIVIL, "l")),
    ("moveDepartment", (SECURITY, "l")),
    ("setMilestones", ("l", [2_000_000_000], [4])),
)


@pytest.fixture
def tree(ledger: Ledger) -> Ledger:
    """``l`` > ``l.d`` > ``l.d.east`` with the security bureau placed in ``l.d``."""
    for jurisdiction_id, parent, tier, name in CHAIN[:3]:
        ledger.jurisdictions.create(jurisdiction_id, parent, tier, name)
    ledger.jurisdictions.place(SECURITY, "l.d")
    return ledger


@pytest.mark.parametrize(("method", "args"), WRITES, ids=[m for m, _ in WRITES])
def test_without_registrar_every_write_is_refused(
    tree: Ledger, stranger: Signer, civil: Signer, method: str, args: tuple[Any, ...]
) -> None:
    """A department without REGISTRAR and an account outside the Directory are refused by
    the chain; the same department, once granted REGISTRAR, may."""
    for signer in (stranger, civil):
        with reverts(
            tree,
            "AccessControlUnauthorizedAccount",
            account=signer.address,
            neededRole=REGISTRAR_HEX,
        ):
            directory(tree, method, *args, signer=signer)
    granted(tree, CIVIL, "REGISTRAR")
    receipt = directory(tree, method, *args, signer=civil)
    assert receipt["status"] == 1


def test_the_admin_holds_registrar_from_deployment(ledger: Ledger) -> None:
    assert ledger.directory.has_role("REGISTRAR", ledger.admin.address)
    assert not ledger.directory.has_role("REGISTRAR", ledger.directory.account_of(CIVIL))


# -- rename and move ----------------------------------------------------------------------


def test_rename(tree: Ledger) -> None:
    receipt = directory(tree, "renameJurisdiction", "l.d", "D City (renamed)")
    assert events(tree, "Directory", "JurisdictionRenamed", receipt) == [
        {"jurisdictionId": "l.d", "name": "D City (renamed)"}
    ]
    assert tree.directory.jurisdiction("l.d").name == "D City (renamed)"
    with reverts(tree, "JurisdictionUnknown", jurisdictionId="nowhere"):
        directory(tree, "renameJurisdiction", "nowhere", "X")


def test_move_emits_from_and_to_and_carries_the_subtree(tree: Ledger) -> None:
    create(tree, "k", None, 1, "K Province")
    receipt = directory(tree, "moveJurisdiction", "l.d", "k")
    assert events(tree, "Directory", "JurisdictionMoved", receipt) == [
        {"jurisdictionId": "l.d", "fromParentId": "l", "toParentId": "k"}
    ]
    assert event_names(tree, receipt) == ["JurisdictionMoved"]
    assert tree.directory.jurisdiction("l.d").parent_id == "k"
    assert tree.directory.jurisdiction("l.d.east").parent_id == "l.d"  # the subtree came along
    assert tree.directory.jurisdiction_of(SECURITY) == "l.d"

    to_root = directory(tree, "moveJurisdiction", "l.d.east", ZERO)
    assert events(tree, "Directory", "JurisdictionMoved", to_root) == [
        {"jurisdictionId": "l.d.east", "fromParentId": "l.d", "toParentId": ZERO_ID}
    ]
    assert tree.directory.jurisdiction("l.d.east").parent_id is None


def test_move_refusals(tree: Ledger) -> None:
    create(tree, "l.c", "l", 2)
    create(tree, "k", None, 1)
    create(tree, "k.c", "k", 2)
    with reverts(tree, "JurisdictionUnknown", jurisdictionId="nowhere"):
        directory(tree, "moveJurisdiction", "nowhere", "l")
    with reverts(tree, "JurisdictionUnknown", jurisdictionId="nowhere"):
        directory(tree, "moveJurisdiction", "l.d", "nowhere")
    # a city under a city; a province under another province's city
    with reverts(tree, "InvalidTier", jurisdictionId="l.d", tier=2, parentTier=2):
        directory(tree, "moveJurisdiction", "l.d", "l.c")
    with reverts(tree, "InvalidTier", jurisdictionId="l", tier=1, parentTier=2):
        directory(tree, "moveJurisdiction", "l", "k.c")
    with reverts(tree, "InvalidTier", jurisdictionId="l", tier=1, parentTier=1):
        directory(tree, "moveJurisdiction", "l", "k")
    assert tree.directory.jurisdiction("l.d").parent_id == "l"
    assert tree.directory.jurisdiction("l").parent_id is None


def test_a_cycle_is_refused_under_itself_a_child_or_a_deep_descendant(ledger: Ledger) -> None:
    build_chain(ledger)
    for jurisdiction_id, *_ in CHAIN:
        for descendant, *_ in CHAIN:
            if not descendant.startswith(jurisdiction_id):
                continue
            with reverts(
                ledger, "JurisdictionCycle", jurisdictionId=jurisdiction_id, newParentId=descendant
            ):
                directory(ledger, "moveJurisdiction", jurisdiction_id, descendant)
    assert ledger.directory.jurisdiction_tree() == [
        JurisdictionInfo(j, p, Tier(t), n) for j, p, t, n in CHAIN
    ]


# -- departments ------------------------------------------------------------------------


def test_place_then_move_a_department(tree: Ledger) -> None:
    placed = directory(tree, "placeDepartment", CIVIL, "l.d.east")
    assert events(tree, "Directory", "DepartmentPlaced", placed) == [
        {"departmentId": CIVIL, "fromJurisdictionId": ZERO_ID, "toJurisdictionId": "l.d.east"}
    ]
    assert tree.directory.jurisdiction_of(CIVIL) == "l.d.east"

    moved = directory(tree, "moveDepartment", CIVIL, "l")
    assert events(tree, "Directory", "DepartmentPlaced", moved) == [
        {"departmentId": CIVIL, "fromJurisdictionId": "l.d.east", "toJurisdictionId": "l"}
    ]
    assert event_names(tree, moved) == ["DepartmentPlaced"]
    assert tree.directory.jurisdiction_of(CIVIL) == "l"
    assert tree.directory.placements() == {
        "dcity.govoffice": None,
        SECURITY: "l.d",
        CIVIL: "l",
        HEALTH: None,
    }


def test_a_department_is_in_one_place_only(tree: Ledger) -> None:
    with reverts(tree, "DepartmentAlreadyPlaced", departmentId=SECURITY, jurisdictionId="l.d"):
        directory(tree, "placeDepartment", SECURITY, "l")
    with reverts(tree, "DepartmentAlreadyPlaced", departmentId=SECURITY, jurisdictionId="l.d"):
        directory(tree, "placeDepartment", SECURITY, "l.d")
    with reverts(tree, "DepartmentAlreadyPlaced", departmentId=SECURITY, jurisdictionId="l.d"):
        directory(tree, "moveDepartment", SECURITY, "l.d")
    assert tree.directory.jurisdiction_of(SECURITY) == "l.d"


def test_placement_refusals(tree: Ledger) -> None:
    with reverts(tree, "DepartmentNotPlaced", departmentId=CIVIL):
        directory(tree, "moveDepartment", CIVIL, "l")
    for method in ("placeDepartment", "moveDepartment"):
        with reverts(tree, "DepartmentUnknown", departmentId="dcity.nobody"):
            directory(tree, method, "dcity.nobody", "l")
        with reverts(tree, "JurisdictionUnknown", jurisdictionId="nowhere"):
            directory(tree, method, SECURITY if method == "moveDepartment" else CIVIL, "nowhere")
        with reverts(tree, "JurisdictionUnknown", jurisdictionId=ZERO_ID):
            directory(tree, method, SECURITY if method == "moveDepartment" else CIVIL, ZERO)
    assert tree.directory.jurisdiction_of(CIVIL) is None
    assert bytes(call(tree, "Directory", "jurisdictionOf", b32("dcity.nobody"))) == ZERO


# -- milestones ---------------------------------------------------------------------------


def test_milestones_default_set_and_restore(tree: Ledger) -> None:
    assert tree.directory.milestones_of("l.d") == list(DEFAULT_MILESTONES)
    assert list(DEFAULT_MILESTONES) == [Milestone(1767225599, 4), Milestone(2082758399, 5)]
    assert call(tree, "Directory", "DEFAULT_L4_BY") == 1767225599  # 2025-12-31T23:59:59Z
    assert call(tree, "Directory", "DEFAULT_L5_BY") == 2082758399  # 2035-12-31T23:59:59Z

    times, levels = [1_700_000_000, 1_750_000_000, 1_800_000_000], [3, 3, 4]
    receipt = directory(tree, "setMilestones", "l.d", times, levels)
    assert events(tree, "Directory", "MilestonesSet", receipt) == [
        {"jurisdictionId": "l.d", "times": times, "levels": levels}
    ]
    assert tree.directory.milestones_of("l.d") == [
        Milestone(t, v) for t, v in zip(times, levels, strict=True)
    ]
    assert tree.directory.milestones_of("l") == list(DEFAULT_MILESTONES)  # per jurisdiction

    restored = directory(tree, "setMilestones", "l.d", [], [])
    assert events(tree, "Directory", "MilestonesSet", restored) == [
        {"jurisdictionId": "l.d", "times": [], "levels": []}
    ]
    assert tree.directory.milestones_of("l.d") == list(DEFAULT_MILESTONES)


@pytest.mark.parametrize(
    ("times", "levels"),
    [
        ([1_800_000_000], [4, 5]),  # lengths differ
        ([], [4]),
        ([1_800_000_000], [0]),  # no level 0
        ([1_800_000_000], [6]),  # nor above 5
        ([1_800_000_000, 1_800_000_000], [4, 5]),  # times not strictly increasing
        ([1_900_000_000, 1_800_000_000], [4, 5]),
        ([1_800_000_000, 1_900_000_000], [5, 4]),  # a level that goes down
    ],
)
def test_invalid_milestones(tree: Ledger, times: list[int], levels: list[int]) -> None:
    directory(tree, "setMilestones", "l.d", [1_700_000_000], [2])
    with reverts(tree, "InvalidMilestones", jurisdictionId="l.d"):
        directory(tree, "setMilestones", "l.d", times, levels)
    assert tree.directory.milestones_of("l.d") == [Milestone(1_700_000_000, 2)]


def test_unknown_jurisdiction_views_and_milestones(ledger: Ledger) -> None:
    with reverts(ledger, "JurisdictionUnknown", jurisdictionId="nowhere"):
        directory(ledger, "setMilestones", "nowhere", [], [])
    with reverts(ledger, "JurisdictionUnknown", jurisdictionId="nowhere"):
        call(ledger, "Directory", "jurisdiction", b32("nowhere"))
    with reverts(ledger, "JurisdictionUnknown", jurisdictionId="nowhere"):
        call(ledger, "Directory", "milestonesOf", b32("nowhere"))
    with reverts(ledger, "JurisdictionUnknown", jurisdictionId=ZERO_ID):
        call(ledger, "Directory", "jurisdiction", ZERO)
