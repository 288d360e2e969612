"""The search box: one query, the page it names or the candidates it could mean.

A query is read as, in order: a 32-byte hash (a transaction, else a block hash); a
number (a block, a published score, an effect-log entry, a checkpoint; ``block 12``,
``score 3``, ``entry 5`` or ``checkpoint 2`` pick one); ``policy#clause``; a policy,
department, jurisdiction or finding id; an agreement, item, work order, drill plan,
system or effect log id (the event that created it). One match redirects to its page;
several, or words that match ids only in part, list them.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.pages import links
from api.pages.i18n import N_
from api.pages.views import CREATED_ARGS, PolicyVersions, check_hash, checkpoints
from ledger.audit.findings import findings_view
from ledger.core import Ledger
from ledger.errors import LedgerValueError

#: Longest query taken (a hash is 66 characters; ids at most 32).
MAX_QUERY = 200

_KINDS = {
    "block": N_("block"),
    "score": N_("score"),
    "entry": N_("effect-log entry"),
    "effect": N_("effect-log entry"),
    "checkpoint": N_("checkpoint"),
}


@dataclass(frozen=True)
class Hit:
    """One thing a query found: what kind (a msgid), its name, its page."""

    kind: str
    name: str
    href: str


def search(lg: Ledger, query: str) -> list[Hit]:
    q = query.strip()
    if not q:
        return []
    if len(q) > MAX_QUERY:
        raise LedgerValueError(f"a search is at most {MAX_QUERY} characters")
    if q.lower().startswith("0x") and len(q) == 66:
        return _hash_hits(lg, check_hash(q, "hash"))
    word, _, rest = q.partition(" ")
    if word.lower() in _KINDS and rest.strip().isdigit():
        return [h for h in _number_hits(lg, int(rest)) if h.kind == _KINDS[word.lower()]]
    if q.isdigit():
        return _number_hits(lg, int(q))
    return _id_hits(lg, q)


def _hash_hits(lg: Ledger, value: str) -> list[Hit]:
    hits = []
    if any(e.tx_hash.lower() == value for e in lg.store.events()):
        hits.append(Hit(N_("transaction"), value, links.tx_url(value)))
    else:
        try:
            lg.w3.eth.get_transaction(value)  # type: ignore[arg-type]
            hits.append(Hit(N_("transaction"), value, links.tx_url(value)))
        except Exception:  # not a transaction: maybe a block
            try:
                block = lg.w3.eth.get_block(value)  # type: ignore[arg-type]
                hits.append(
                    Hit(N_("block"), str(block["number"]), links.block_url(block["number"]))
                )
            except Exception:  # neither
                pass
    for p in lg.policy_book.summaries():
        if p["digest"].lower() == value:
            hits.append(
                Hit(
                    N_("policy"),
                    f"{p['id']} v{p['version']}",
                    links.policy_url(p["id"], p["version"]),
                )
            )
    for i in range(1, lg.scoreboard.count() + 1):
        if lg.scoreboard.score_of(i).result_hash.lower() == value:
            hits.append(Hit(N_("score"), f"#{i}", links.score_url(i)))
    return hits


def _number_hits(lg: Ledger, n: int) -> list[Hit]:
    hits = []
    if n <= int(lg.w3.eth.block_number):
        hits.append(Hit(N_("block"), str(n), links.block_url(n)))
    if 1 <= n <= lg.scoreboard.count():
        hits.append(Hit(N_("score"), f"#{n}", links.score_url(n)))
    if lg.effects.config is not None:
        if n < lg.effects.store.size:
            hits.append(Hit(N_("effect-log entry"), str(n), links.effect_url(n)))
        if any(c["index"] == n for c in checkpoints(lg)):
            hits.append(Hit(N_("checkpoint"), str(n), links.checkpoint_url(n)))
    return hits


def _id_hits(lg: Ledger, q: str) -> list[Hit]:
    versions = PolicyVersions.of(lg)
    needle = q.lower()
    policy, _, clause = q.partition("#")
    exact: list[Hit] = []
    partial: list[Hit] = []

    def add(kind: str, name: str, href: str) -> None:
        if name.lower() == needle:
            exact.append(Hit(kind, name, href))
        elif needle in name.lower():
            partial.append(Hit(kind, name, href))

    for p in lg.policy_book.summaries():
        add(N_("policy"), p["id"], links.policy_url(p["id"], p["version"]))
        for c in p["clauses"]:
            add(N_("clause"), f"{p['id']}#{c}", links.clause_url(p["id"], p["version"], c))
        if p["title"] and needle in str(p["title"]).lower():
            partial.append(
                Hit(
                    N_("policy"),
                    f"{p['id']}: {p['title']}",
                    links.policy_url(p["id"], p["version"]),
                )
            )
    for d in lg.departments.list():
        add(N_("department"), d["id"], links.department_url(d["id"]))
        if needle in str(d["name"]).lower():
            partial.append(
                Hit(N_("department"), f"{d['id']}: {d['name']}", links.department_url(d["id"]))
            )
    for j in lg.jurisdictions.list():
        add(N_("jurisdiction"), j.id, links.jurisdiction_url(j.id))
        if needle in j.name.lower():
            partial.append(
                Hit(N_("jurisdiction"), f"{j.id}: {j.name}", links.jurisdiction_url(j.id))
            )
    for f in findings_view(lg.findings, lg.store):
        add(N_("finding"), f["finding_id"], links.finding_url(f["finding_id"]))
    created: set[tuple[str, str]] = set()
    for e in lg.store.events():
        for arg, kind in CREATED_ARGS.items():
            value = e.args.get(arg)
            if isinstance(value, str) and (arg, value) not in created:
                created.add((arg, value))  # its first event: the one that created it
                add(kind, value, links.event_url(e.tx_hash, e.log_index))
    if clause and not exact and versions.latest(policy) is not None:
        partial.append(
            Hit(N_("policy"), policy, links.policy_url(policy, versions.latest(policy) or 1))
        )
    return exact or partial
