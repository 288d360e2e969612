"""For any sequence of creates, moves and placements, the Directory's tree stays a tree.

A plain Python model of the rules predicts each write's outcome (success, or the custom
error that refuses it); after every step the chain must agree with the model, no node may
lie on a cycle, and every placed department must name exactly one existing jurisdiction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from ledger.core import Ledger
from ledger.errors import ContractRevert
from ledger.mechanisms.directory import MAX_DEPTH, JurisdictionInfo
from tests.conftest import DEPARTMENTS, reverted

IDS = ("a", "b", "c", "d", "e", "f", "g")
DEPARTMENT_IDS = tuple(DEPARTMENTS)

#: (kind, id or department, parent or jurisdiction, tier)
Op = tuple[str, str, str | None, int]


@dataclass
class Model:
    """The rules, written plainly: what the Directory should hold and refuse."""

    nodes: dict[str, tuple[str | None, int]] = field(default_factory=dict)  # id -> parent, tier
    placed: dict[str, str] = field(default_factory=dict)

    def ancestors(self, node: str | None) -> list[str]:
        out = []
        while node is not None:
            out.append(node)
            node = self.nodes[node][0]
        return out

    def create(self, ident: str, parent: str | None, tier: int) -> str | None:
        if ident in self.nodes:
            return "JurisdictionExists"
        if parent is not None and parent not in self.nodes:
            return "JurisdictionUnknown"
        if not 1 <= tier <= 6 or tier <= (0 if parent is None else self.nodes[parent][1]):
            return "InvalidTier"
        self.nodes[ident] = (parent, tier)
        return None

    def move(self, ident: str, parent: str | None) -> str | None:
        if ident not in self.nodes or (parent is not None and parent not in self.nodes):
            return "JurisdictionUnknown"
        if ident in self.ancestors(parent):
            return "JurisdictionCycle"
        tier = self.nodes[ident][1]
        if tier <= (0 if parent is None else self.nodes[parent][1]):
            return "InvalidTier"
        self.nodes[ident] = (parent, tier)
        return None

    def place(self, department: str, jurisdiction: str) -> str | None:
        if jurisdiction not in self.nodes:
            return "JurisdictionUnknown"
        if self.placed.get(department) == jurisdiction:
            return "DepartmentAlreadyPlaced"
        self.placed[department] = jurisdiction
        return None


def apply(ledger: Ledger, op: Op) -> str | None:
    """Send ``op`` through the service; the name of the error that refused it, if any."""
    kind, ident, other, tier = op
    try:
        if kind == "create":
            ledger.jurisdictions.create(ident, other, tier, f"node {ident}")
        elif kind == "move":
            ledger.jurisdictions.move(ident, other)
        else:
            assert other is not None
            ledger.jurisdictions.place(ident, other)
    except ContractRevert as err:
        return err.name
    return None


def check_tree(ledger: Ledger, model: Model) -> None:
    nodes = ledger.directory.jurisdiction_tree()
    assert {j.id: (j.parent_id, int(j.tier)) for j in nodes} == model.nodes
    parents = {j.id: j for j in nodes}
    for node in nodes:  # every walk to the root ends, within MAX_DEPTH steps, tiers rising
        seen: list[str] = []
        at: JurisdictionInfo | None = node
        while at is not None:
            assert at.id not in seen, f"cycle through {seen}"
            seen.append(at.id)
            parent = None if at.parent_id is None else parents[at.parent_id]
            assert parent is None or parent.tier < at.tier
            at = parent
        assert len(seen) <= MAX_DEPTH
    placements = ledger.directory.placements()
    for department in DEPARTMENT_IDS:
        where = placements[department]
        assert where == model.placed.get(department)
        assert where is None or sum(1 for j in nodes if j.id == where) == 1


def draw_op(data: st.DataObject, model: Model) -> Op:
    """A write that is mostly about nodes that exist (so moves can aim at descendants), now
    and then about ids that do not, or with a tier that may not fit."""
    known = sorted(model.nodes)
    kind = data.draw(st.sampled_from(("create", "create", "move", "move", "place")))
    some_id = (
        st.sampled_from(known) if known and data.draw(st.integers(0, 4)) else st.sampled_from(IDS)
    )
    parent = data.draw(st.none() | some_id)
    if kind == "create":
        base = 0 if parent not in model.nodes else model.nodes[parent][1]
        tier = data.draw(st.integers(min(base + 1, 6), 6) | st.integers(1, 6))
        return kind, data.draw(st.sampled_from(IDS)), parent, tier
    if kind == "move":
        return kind, data.draw(some_id), parent, 0
    return kind, data.draw(st.sampled_from(DEPARTMENT_IDS)), data.draw(some_id), 0


@settings(
    max_examples=10,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_writes_keep_one_tree(session_ledger: Ledger, data: st.DataObject) -> None:
    with reverted(session_ledger) as ledger:
        model = Model()
        for _ in range(data.draw(st.integers(1, 12), label="steps")):
            op = draw_op(data, model)
            kind, ident, other, tier = op
            if kind == "create":
                expected = model.create(ident, other, tier)
            elif kind == "move":
                expected = model.move(ident, other)
            else:
                assert other is not None
                expected = model.place(ident, other)
            event(f"{kind}: {expected or 'accepted'}")
            assert apply(ledger, op) == expected, op
            check_tree(ledger, model)
        for department in DEPARTMENT_IDS:
            assert ledger.directory.jurisdiction_of(department) == model.placed.get(department)
