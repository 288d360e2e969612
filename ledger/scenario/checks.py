"""What playing a scenario would pass over, found before anything is played.

The runner treats some reverts as "already done" so that a stopped run can resume (see
:mod:`ledger.scenario.plan`). A scenario that asks for something the chain refuses in the
same way (a second transfer to the same handler, a stage before the one it follows, a
period delivered twice) would be passed over in silence; these checks refuse such a file
instead, naming the field. So do steps timed after the scenario's ``end``, which are never
played. References to undefined things are checked first, by
:meth:`ledger.scenario.model.Scenario.reference_problems`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ledger.knowledge.loader import loc_path
from ledger.knowledge.models import PolicyRecord
from ledger.scenario.model import TIERS, Milestone, OrderSteps, Scenario

Loc = tuple[int | str, ...]
Found = list[tuple[Loc, str]]

DAY = 86_400


def _days(seconds: int) -> str:
    """An offset as the format writes it: ``20d``, ``36h``, ``90m`` or ``45s``."""
    for unit, size in (("d", DAY), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def play_problems(scenario: Scenario, records: Sequence[PolicyRecord]) -> Found:
    """Everything in ``scenario`` that playing it would skip, each with its location.

    ``records`` are the scenario's policies, one per entry of ``scenario.policies``.
    """
    found: Found = []
    _duplicates(scenario, found)
    _policies(scenario, records, found)
    _schedules(scenario, found)
    for i, order in enumerate(scenario.work_orders):
        _steps(("work_orders", i), order.handler, order.steps, found)
    _streams(scenario, found)
    _timeline(scenario, found)
    _after_end(scenario, found)
    _jurisdictions(scenario, found)
    return found


def _duplicates(s: Scenario, found: Found) -> None:
    def unique(section: str, ids: Iterable[str], field: str = "id") -> None:
        seen: dict[str, int] = {}
        for i, ident in enumerate(ids):
            if ident in seen:
                found.append(
                    (
                        (section, i, field),
                        f"{ident!r} is already defined at {section}[{seen[ident]}]"
                        " (the second one would be passed over)",
                    )
                )
            else:
                seen[ident] = i

    unique("departments", (d.id for d in s.departments))
    unique("jurisdictions", (j.id for j in s.jurisdictions))
    unique("categories", (c.id for c in s.categories))
    unique("catalog", (c.id for c in s.catalog))
    unique("agreements", (a.id for a in s.agreements))
    unique("systems", (x.id for x in s.systems))
    unique("drills", (d.id for d in s.drills))
    unique("work_orders", (o.id for o in s.work_orders))
    unique("work_order_streams", (st.prefix for st in s.work_order_streams), "prefix")
    for i, order in enumerate(s.work_orders):
        for j, st in enumerate(s.work_order_streams):
            number = order.id[len(st.prefix) :]
            if order.id.startswith(st.prefix) and number.isdigit() and int(number) < st.count:
                found.append(
                    (
                        ("work_orders", i, "id"),
                        f"{order.id!r} is also an order of work_order_streams[{j}]"
                        f" (prefix {st.prefix!r})",
                    )
                )


def _policies(s: Scenario, records: Sequence[PolicyRecord], found: Found) -> None:
    leaders = {d.id for d in s.departments if "LEADER" in d.roles}
    seen: dict[tuple[str, int], int] = {}
    for i, (source, record) in enumerate(zip(s.policies, records, strict=False)):
        key = (record.id, record.version)
        if key in seen:
            found.append(
                (
                    ("policies", i),
                    f"{record.id} version {record.version} is already given at"
                    f" policies[{seen[key]}] (anchoring it again does nothing)",
                )
            )
        seen.setdefault(key, i)
        if record.level != "city":
            if source.approved_by:
                found.append(
                    (
                        ("policies", i, "approved_by"),
                        f"{record.id} is a department-level record: it is anchored without"
                        " approvals (only a city-level record is approved by two leaders)",
                    )
                )
            continue
        if len(set(source.approved_by)) < 2:
            found.append(
                (
                    ("policies", i, "approved_by"),
                    f"{record.id} is city-level: list two distinct leaders' departments",
                )
            )
        for j, leader in enumerate(source.approved_by):
            if leader not in leaders:
                found.append(
                    (("policies", i, "approved_by", j), f"{leader!r} does not have the LEADER role")
                )


def _indices(loc: Loc, indices: Iterable[int], count: int, what: str, found: Found) -> None:
    for index in indices:
        if not 0 <= index < count:
            found.append((loc, f"{what} {index} does not exist (0..{count - 1} do)"))


_PERMISSIONS = ("open", "conditional", "restricted")


def _schedules(s: Scenario, found: Found) -> None:
    items = {c.id: c for c in s.catalog}
    for i, a in enumerate(s.agreements):
        item = items.get(a.item)
        if item is not None and _PERMISSIONS.index(a.permission) > _PERMISSIONS.index(
            item.permission
        ):
            found.append(
                (
                    ("agreements", i, "permission"),
                    f"{a.permission} exceeds what {item.id} allows ({item.permission}):"
                    " open < conditional < restricted",
                )
            )
        d = a.deliveries
        _indices(("agreements", i, "deliveries", "late"), d.late, a.periods, "period", found)
        _indices(("agreements", i, "deliveries", "missing"), d.missing, a.periods, "period", found)
        both = sorted(set(d.late) & set(d.missing))
        if both:
            found.append(
                (
                    ("agreements", i, "deliveries", "late"),
                    f"periods {both} are also missing: a period is late or missing, not both",
                )
            )
        first_delivery = a.first_due - min(6 * 3600, a.period // 2)
        if 0 in d.late:
            first_delivery = a.first_due + d.late_by
        if 0 in d.missing:
            first_delivery = a.first_due + 3600
        if a.at >= max(first_delivery, 1):
            found.append(
                (
                    ("agreements", i, "at"),
                    f"committed at +{_days(a.at)}, not before its first delivery"
                    f" (+{_days(first_delivery)})",
                )
            )
    for i, plan in enumerate(s.drills):
        held = set(plan.held_late)
        _indices(("drills", i, "held_late"), sorted(held), plan.count, "drill", found)
        _indices(("drills", i, "missing"), plan.missing, plan.count, "drill", found)
        both = sorted(held & set(plan.missing))
        if both:
            found.append(
                (
                    ("drills", i, "held_late"),
                    f"drills {both} are also missing: a drill is held late or missing, not both",
                )
            )


def _steps(loc: Loc, handler: str, st: OrderSteps, found: Found) -> None:
    here = (*loc, "steps")
    if st.retransfer_to is not None and st.retransfer_to == handler:
        found.append(
            (
                (*here, "retransfer_to"),
                f"{handler!r} already handles the order: re-transfer it to another department",
            )
        )
    previous, previous_name = st.transfer, "transfer"
    stopped: str | None = None
    for name in ("handle", "feedback", "complete"):
        value = getattr(st, name)
        if stopped is not None:
            if name in st.model_fields_set and value is not None:
                found.append(
                    ((*here, name), f"the order stops at {stopped}: null, so {name} never comes")
                )
            continue
        if value is None:
            stopped = name
            continue
        if value < previous:
            found.append(
                (
                    (*here, name),
                    f"{name} at +{_days(value)} comes before {previous_name} at"
                    f" +{_days(previous)}:"
                    " stages come in order",
                )
            )
        previous, previous_name = value, name
    if stopped is not None:
        if "evaluate" in st.model_fields_set and st.evaluate is not None:
            found.append(
                ((*here, "evaluate"), f"the order stops at {stopped}: null and is never completed")
            )
        if st.retransfer_to is not None and st.handle is None:
            found.append(
                (
                    (*here, "retransfer_to"),
                    "a re-transfer comes halfway to handling: give handle a time",
                )
            )


def _streams(s: Scenario, found: Found) -> None:
    for i, st in enumerate(s.work_order_streams):
        if st.retransfer_share > 0 and len(set(st.handlers)) < 2:
            found.append(
                (
                    ("work_order_streams", i, "retransfer_share"),
                    "a re-transfer needs another handler: list at least two handlers",
                )
            )
        if st.end <= st.start:
            found.append((("work_order_streams", i, "end"), "the stream ends before it starts"))


def _timeline(s: Scenario, found: Found) -> None:
    periods = {a.id: a.periods for a in s.agreements}
    named: dict[tuple[str, int], int] = {}
    revoked: dict[str, int] = {}
    for i, step in enumerate(s.timeline):
        spec = step.deliver or step.miss
        if spec is not None:
            name = "deliver" if step.deliver is not None else "miss"
            count = periods.get(spec.agreement, 0)
            if spec.period >= count:
                found.append(
                    (
                        ("timeline", i, name, "period"),
                        f"{spec.agreement} has {count} periods (0..{count - 1})",
                    )
                )
            key = (spec.agreement, spec.period)
            if key in named:
                found.append(
                    (
                        ("timeline", i, name, "period"),
                        f"{spec.agreement} period {spec.period} is already delivered or missed"
                        f" by timeline[{named[key]}]",
                    )
                )
            named.setdefault(key, i)
        if step.revoke_agreement is not None:
            aid = step.revoke_agreement
            if aid in revoked:
                found.append(
                    (
                        ("timeline", i, "revoke_agreement"),
                        f"{aid} is already revoked by timeline[{revoked[aid]}]",
                    )
                )
            revoked.setdefault(aid, i)
    _system_states(s, found)


def _system_states(s: Scenario, found: Found) -> None:
    """Connections, disconnections and slot fills in time order, as the chain sees them."""
    systems = {x.id: x for x in s.systems}
    connected = {x.id: False for x in s.systems}
    reserved = {x.id: x.reserved for x in s.systems}
    moves: list[tuple[int, int, Loc, str, str]] = []  # (at, order, loc, action, system)
    for i, x in enumerate(s.systems):
        if x.connect is not None:
            moves.append((max(x.connect.at, 1), -1, ("systems", i, "connect"), "connect", x.id))
    for i, step in enumerate(s.timeline):
        at = max(step.at, 1)
        if step.connect is not None:
            moves.append((at, i, ("timeline", i, "connect"), "connect", step.connect.system))
        if step.disconnect is not None:
            moves.append(
                (at, i, ("timeline", i, "disconnect"), "disconnect", step.disconnect.system)
            )
        if step.fill_slot is not None:
            moves.append((at, i, ("timeline", i, "fill_slot"), "fill", step.fill_slot))
    for _at, _order, loc, action, sid in sorted(moves, key=lambda m: (m[0], m[1])):
        if sid not in systems:
            continue
        if action == "fill":
            if not reserved[sid]:
                found.append((loc, f"{sid} is not a reserved slot (or is filled already)"))
            reserved[sid] = False
        elif action == "connect":
            if reserved[sid]:
                found.append((loc, f"{sid} is a reserved slot: fill it before connecting it"))
            elif connected[sid]:
                found.append((loc, f"{sid} is already connected at that time"))
            connected[sid] = True
        else:
            if not connected[sid]:
                found.append((loc, f"{sid} is not connected at that time"))
            connected[sid] = False


def _after_end(s: Scenario, found: Found) -> None:
    """Explicit steps timed after the end are never played (schedules are cut there)."""
    if s.end is None:
        return
    end = s.end

    def late(loc: Loc, at: int) -> None:
        if at > end:
            found.append(
                (loc, f"at +{_days(at)}, after the scenario's end (+{_days(end)}): never played")
            )

    for i, p in enumerate(s.policies):
        late(("policies", i, "at"), p.at)
    for i, a in enumerate(s.agreements):
        late(("agreements", i, "at"), a.at)
    for i, x in enumerate(s.systems):
        if x.connect is not None:
            late(("systems", i, "connect", "at"), x.connect.at)
    for i, t in enumerate(s.attestations):
        late(("attestations", i, "at"), t.at)
    for i, o in enumerate(s.work_orders):
        late(("work_orders", i, "at"), o.at)
    for i, st in enumerate(s.work_order_streams):
        late(("work_order_streams", i, "end"), st.end)
    for i, step in enumerate(s.timeline):
        late(("timeline", i, "at"), step.at)
    if s.effects is not None and s.effects.start >= end:
        found.append(
            (
                ("effects", "start"),
                f"traffic starts at +{_days(s.effects.start)}, not before the scenario's end"
                f" (+{_days(end)})",
            )
        )


def _jurisdictions(s: Scenario, found: Found) -> None:
    """The tree (tiers descend, no cycle), each department in exactly one jurisdiction once
    any is declared, and staged targets in order. Unknown parents and departments are
    reference problems, found before these."""
    if not s.jurisdictions:
        return
    nodes = {j.id: j for j in s.jurisdictions}
    for i, jur in enumerate(s.jurisdictions):
        parent = nodes.get(jur.parent) if jur.parent is not None else None
        if parent is not None and TIERS[jur.tier] <= TIERS[parent.tier]:
            found.append(
                (
                    ("jurisdictions", i, "tier"),
                    f"a {jur.tier} cannot sit under {parent.id} (a {parent.tier}): tiers descend"
                    " province > city > district > street > community > grid",
                )
            )
        chain = [jur.id]
        while parent is not None and parent.id not in chain:
            chain.append(parent.id)
            parent = nodes.get(parent.parent) if parent.parent is not None else None
        if parent is not None and parent.id == jur.id:
            found.append(
                (
                    ("jurisdictions", i, "parent"),
                    f"{jur.id}'s parents lead back to itself ({' -> '.join([*chain, jur.id])})",
                )
            )
        _milestones(i, jur.milestones, found)
    _placements(s, found)


def _placements(s: Scenario, found: Found) -> None:
    first: dict[str, tuple[str, Loc]] = {}

    def place(loc: Loc, department: str, jurisdiction: str) -> None:
        if department in first:
            where, at = first[department]
            found.append(
                (
                    loc,
                    f"{department!r} is already placed in {where} by {loc_path(at)}: a department"
                    " belongs to exactly one jurisdiction",
                )
            )
        else:
            first[department] = (jurisdiction, loc)

    for i, dep in enumerate(s.departments):
        if dep.jurisdiction is not None:
            place(("departments", i, "jurisdiction"), dep.id, dep.jurisdiction)
    for i, jur in enumerate(s.jurisdictions):
        for j, member in enumerate(jur.departments):
            place(("jurisdictions", i, "departments", j), member, jur.id)
    where = {department: jurisdiction for department, (jurisdiction, _) in first.items()}
    for i, step in sorted(enumerate(s.timeline), key=lambda pair: (max(pair[1].at, 1), pair[0])):
        move = step.move_department
        if move is None:
            continue
        if where.get(move.department) == move.to:
            found.append(
                (
                    ("timeline", i, "move_department", "to"),
                    f"{move.department!r} is already in {move.to} at that time",
                )
            )
        where[move.department] = move.to
    for i, dep in enumerate(s.departments):
        if dep.id not in first:
            found.append(
                (
                    ("departments", i, "id"),
                    f"{dep.id!r} belongs to no jurisdiction: give it a 'jurisdiction' or list it"
                    " in a jurisdiction's 'departments'",
                )
            )


def _milestones(index: int, milestones: Sequence[Milestone], found: Found) -> None:
    here = ("jurisdictions", index, "milestones")
    kinds = {isinstance(m.by, int) for m in milestones}
    if len(kinds) > 1:
        found.append((here, "give every milestone's 'by' as an offset, or every one as a date"))
        return
    for k in range(1, len(milestones)):
        before, now = milestones[k - 1], milestones[k]
        if now.by <= before.by:  # type: ignore[operator]  # one kind, checked above
            found.append(((*here, k, "by"), "milestones come in time order, each later"))
        if now.level < before.level:
            found.append(
                (
                    (*here, k, "level"),
                    f"L{now.level} after L{before.level}: a later milestone's level is not lower",
                )
            )
