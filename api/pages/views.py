"""What each page shows, read from the ledger: plain data and :class:`Table` s.

Every function takes the open :class:`~ledger.core.Ledger` (read under the app's
lock) and returns the template's context; a page's panels are read one by one
through :class:`~api.pages.panels.Panels`, so one that fails leaves the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak

from api.pages import links
from api.pages.i18n import N_
from api.pages.panels import Panels
from api.pages.tables import Cell, Table, hexval, label, many, num, text, when
from ledger.audit.findings import finding_dict, findings_view
from ledger.audit.scores import (
    ScoreArchive,
    finalized_block,
    publication_view,
    published,
    recompute,
    verify_published,
)
from ledger.audit.verify import chain_events
from ledger.core import Ledger
from ledger.errors import LedgerValueError, NotFoundError
from ledger.store.records import EventRecord
from ledger.store.sql import department_of
from ledger.store.views import agreements

#: Event arguments that name a department.
DEPARTMENT_ARGS = frozenset(
    {
        "providerId",
        "consumerId",
        "departmentId",
        "handlerId",
        "ownerId",
        "issuerId",
        "toId",
        "operatorId",
        "previousHandlerId",
        "attesterId",
        "callerId",
    }
)
#: Event arguments that name a jurisdiction.
JURISDICTION_ARGS = frozenset(
    {
        "jurisdictionId",
        "parentId",
        "newParentId",
        "toParentId",
        "fromParentId",
        "toJurisdictionId",
        "fromJurisdictionId",
    }
)
#: Event arguments naming things with no page of their own (an agreement, an item, an
#: order, a drill plan, a system, a log): their link is a search, which leads to the
#: event that created them.
CREATED_ARGS = {
    "agreementId": N_("agreement"),
    "itemId": N_("item"),
    "orderId": N_("work order"),
    "planId": N_("drill plan"),
    "systemId": N_("system"),
    "logId": N_("effect log"),
}


# -- shared lookups ------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyVersions:
    """Which version of each policy was anchored at which block (from the index)."""

    anchors: Mapping[str, Sequence[EventRecord]]

    @classmethod
    def of(cls, lg: Ledger) -> PolicyVersions:
        found: dict[str, list[EventRecord]] = {}
        for e in lg.store.events(contract="PolicyRegistry", names=["PolicyAnchored"]):
            found.setdefault(str(e.args["policyId"]), []).append(e)
        return cls(found)

    def latest(self, policy: str) -> int | None:
        rows = self.anchors.get(policy)
        return int(rows[-1].args["version"]) if rows else None

    def at(self, policy: str, block: int) -> int | None:
        """The version in force at ``block`` (the latest one anchored by then)."""
        rows = [e for e in self.anchors.get(policy, ()) if e.block_number <= block]
        return int(rows[-1].args["version"]) if rows else self.latest(policy)

    def anchor(self, policy: str, version: int) -> EventRecord | None:
        return next(
            (e for e in self.anchors.get(policy, ()) if int(e.args["version"]) == version), None
        )

    def clause_cell(self, policy: str | None, clause: str | None, block: int | None = None) -> Cell:
        """``policy#clause``, linked to the clause's text in the version in force."""
        if not policy:
            return text(None)
        version = self.latest(policy) if block is None else self.at(policy, block)
        shown = f"{policy}#{clause}" if clause else policy
        if version is None:
            return text(shown)
        href = (
            links.clause_url(policy, version, clause)
            if clause
            else links.policy_url(policy, version)
        )
        return text(shown, href)

    def policy_cell(self, policy: str | None) -> Cell:
        version = self.latest(policy) if policy else None
        return text(policy, links.policy_url(policy, version) if policy and version else None)


def department_cell(department: str | None) -> Cell:
    return text(department, links.department_url(department) if department else None)


def tx_cell(tx: str | None) -> Cell:
    return hexval(tx, links.tx_url(tx) if tx else None)


def block_cell(number: int | None) -> Cell:
    return num(number, href=links.block_url(number) if number is not None else None)


def event_cell(e: EventRecord) -> Cell:
    return text(f"{e.contract}.{e.event}", links.event_url(e.tx_hash, e.log_index))


def events_table(id: str, events: Iterable[EventRecord], versions: PolicyVersions) -> Table:
    """Events with when, what, where, the clause they cite and their department."""
    return Table.of(
        id,
        [
            N_("time"),
            N_("event"),
            N_("block"),
            N_("transaction"),
            N_("log"),
            N_("clause"),
            N_("department"),
        ],
        [
            (
                when(e.block_time),
                event_cell(e),
                block_cell(e.block_number),
                tx_cell(e.tx_hash),
                num(e.log_index, href=links.event_url(e.tx_hash, e.log_index)),
                versions.clause_cell(
                    e.args.get("policyId"), e.args.get("clauseId"), e.block_number
                ),
                department_cell(department_of(e.args)),
            )
            for e in events
        ],
    )


def _status(value: str, good: Iterable[str] = (), bad: Iterable[str] = ()) -> Cell:
    tone = "ok" if value in good else "bad" if value in bad else None
    return label(value, tone)


def _score(value: float | None) -> Cell:
    """A score in [0, 1], always with three decimals (the engine writes 1 as ``1``)."""
    return num(None if value is None else float(value))


def _rating(status: str) -> Cell:
    """An element's or indicator's status (``RATED``, ``NOT_RATED``) in words."""
    return _status(status.lower().replace("_", " "), good=["rated"], bad=["not rated"])


# -- maturity --------------------------------------------------------------------------


def scope_of(lg: Ledger, scope: str) -> str | None:
    """The scorer's scope for a URL's ``scope``: ``city``, a department id, or a
    jurisdiction as ``@`` and its id."""
    if scope == links.CITY:
        return None
    if scope.startswith("@"):
        if not any(j.id == scope[1:] for j in lg.jurisdictions.list()):
            raise NotFoundError("jurisdiction", scope[1:])
        return scope
    if not lg.directory.is_department(scope):
        raise NotFoundError("scope", scope)
    return scope


def radar(result: Mapping[str, Any]) -> dict[str, Any]:
    """The radar's data: one axis per element, its score (0 when not rated)."""
    return {
        "axes": [str(e.get("name") or e["id"]) for e in result["elements"]],
        "values": [e["score"] if e["score"] is not None else 0 for e in result["elements"]],
        "rated": [e["score"] is not None for e in result["elements"]],
    }


def elements_table(result: Mapping[str, Any]) -> Table:
    return Table.of(
        "elements",
        [N_("element"), N_("score"), N_("level"), N_("rated indicators"), N_("status")],
        [
            (
                label(str(e.get("name") or e["id"])),
                _score(e["score"]),
                text(e.get("level")),
                text(f"{e.get('rated', '—')}/{e.get('total', '—')}"),
                _rating(str(e["status"])),
            )
            for e in result["elements"]
        ],
    )


def indicators_table(result: Mapping[str, Any], scope: str | None) -> Table:
    return Table.of(
        "indicators",
        [N_("indicator"), N_("name"), N_("raw"), N_("score"), N_("n"), N_("status"), N_("reason")],
        [
            (
                text(i["id"], links.indicator_url(scope, i["id"])),
                label(str(i["name"])),
                num(i["raw"]),
                _score(i["score"]),
                num(i["n"]),
                _rating(str(i["status"])),
                text(i.get("reason")),
            )
            for i in result["indicators"]
        ],
    )


def series_view(series: Mapping[str, Any]) -> tuple[dict[str, Any], Table]:
    points = series["points"]
    chart = {
        "labels": [p["as_of"]["time_utc"] for p in points],
        "times": [p["as_of"]["time"] for p in points],
        "M": [p["M"] for p in points],
        "levels": [p["level"] for p in points],
        "I1": list(series.get("i1_trend") or []),
    }
    table = Table.of(
        "series",
        [
            N_("window ends"),
            N_("block"),
            N_("M"),
            N_("level"),
            N_("conversion cycle I1 (days)"),
            N_("result_hash"),
        ],
        [
            (
                when(p["as_of"]["time"]),
                block_cell(p["as_of"]["block"]),
                num(p["M"]),
                text(p["level"]),
                num(i1),
                hexval(p["result_hash"]),
            )
            for p, i1 in zip(points, chart["I1"] or [None] * len(points), strict=False)
        ],
    )
    return chart, table


def clauses_table(cycle: Mapping[str, Any], versions: PolicyVersions) -> Table:
    rows = []
    for c in cycle["clauses"]:
        executed = c.get("executed") or {}
        tx = executed.get("tx")
        rows.append(
            (
                versions.clause_cell(c["policy_id"], c["clause_id"]),
                num(c.get("version")),
                when(c.get("start")),
                text(
                    executed.get("event"),
                    links.event_url(tx, executed["log_index"]) if tx else None,
                ),
                when(executed.get("time")),
                num(c.get("days"), 1) if c.get("days") is not None else text("∞"),
                _status(str(c["status"]), good=["executed"], bad=["not executed"]),
            )
        )
    return Table.of(
        "clauses",
        [
            N_("clause"),
            N_("version"),
            N_("start"),
            N_("first executed by"),
            N_("executed at"),
            N_("days"),
            N_("status"),
        ],
        rows,
    )


def scores_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    return Table.of(
        "scores",
        [
            N_("score"),
            N_("scope"),
            N_("as of block"),
            N_("published"),
            N_("result_hash (published)"),
            N_("status"),
        ],
        [
            (
                num(s["score_id"], href=links.score_url(s["score_id"])),
                text(s["scope"], links.scope_url(s["scope"])),
                block_cell(s["as_of_block"]),
                when(s["published_at"]),
                hexval(s["result_hash"], links.score_url(s["score_id"])),
                _status("provisional" if s["provisional"] else "final", good=["final"]),
            )
            for s in reversed(rows)
        ],
    )


def published_scores(lg: Ledger) -> list[dict[str, Any]]:
    final = finalized_block(lg.handle, lg.settings.finality_depth)
    return [
        publication_view(lg.scoreboard.score_of(i), final)
        for i in range(1, lg.scoreboard.count() + 1)
    ]


def findings_table(rows: Sequence[Mapping[str, Any]], versions: PolicyVersions) -> Table:
    return Table.of(
        "findings",
        [
            N_("finding"),
            N_("status"),
            N_("department"),
            N_("clause"),
            N_("indicator"),
            N_("raised under score"),
            N_("deadline"),
        ],
        [
            (
                text(f["finding_id"], links.finding_url(f["finding_id"])),
                _status(str(f["status"]), good=["Accepted"], bad=["Open", "Overdue"]),
                department_cell(f["department_id"]),
                versions.clause_cell(f["policy_id"], f["clause_id"]),
                text(f["metric"], links.indicator_url(f["department_id"], f["metric"])),
                text(f"#{f['score_id']}", links.score_url(f["score_id"])),
                when(f["deadline"]),
            )
            for f in rows
        ],
    )


def policies_table(lg: Ledger, versions: PolicyVersions) -> Table:
    rows = []
    for p in lg.policy_book.summaries():
        state = "revoked" if p["revoked"] else "anchored" if p["recordStored"] else "record missing"
        rows.append(
            (
                text(p["id"], links.policy_url(p["id"], p["version"])),
                num(p["version"], href=links.policy_url(p["id"], p["version"])),
                text(p["title"]),
                department_cell(p["issuer"]),
                label(str(p["element"]).replace("_", " ")),
                text(p["effective"]),
                many([(c, links.clause_url(p["id"], p["version"], c)) for c in p["clauses"]]),
                _status(state, good=["anchored"], bad=["revoked", "record missing"]),
                tx_cell(p["tx"]),
            )
        )
    return Table.of(
        "policies",
        [
            N_("policy"),
            N_("version"),
            N_("title"),
            N_("issuer"),
            N_("element"),
            N_("effective"),
            N_("clauses"),
            N_("status"),
            N_("anchored in"),
        ],
        rows,
    )


def departments_table(lg: Ledger) -> Table:
    return Table.of(
        "departments",
        [N_("department"), N_("name"), N_("account")],
        [
            (department_cell(d["id"]), text(d["name"]), hexval(d["account"]))
            for d in lg.departments.list()
        ],
    )


def agreements_table(lg: Ledger, versions: PolicyVersions) -> Table:
    return Table.of(
        "agreements",
        [
            N_("agreement"),
            N_("item"),
            N_("provider"),
            N_("consumer"),
            N_("clause"),
            N_("periods"),
            N_("on time"),
            N_("late"),
            N_("missed"),
            N_("status"),
        ],
        [
            (
                text(a["agreementId"], links.search_url(a["agreementId"])),
                text(a["itemId"], links.search_url(a["itemId"])),
                department_cell(a["providerId"]),
                department_cell(a["consumerId"]),
                versions.clause_cell(a["policyId"], a["clauseId"], a["block"]),
                num(a["periods"]),
                num(a["onTime"]),
                num(a["late"]),
                num(a["missed"]),
                _status(
                    "revoked" if a["revoked"] else "in force", good=["in force"], bad=["revoked"]
                ),
            )
            for a in agreements(lg.store)
        ],
    )


def checkpoints(lg: Ledger) -> list[dict[str, Any]]:
    """Every anchored checkpoint of the effect log, oldest first (none without a log)."""
    config = lg.effects.config
    if config is None:
        return []
    out = []
    for e in lg.store.events(names=["CheckpointAnchored"]):
        if e.args["logId"] != config.log_id:
            continue
        cp = lg.effects.contract.checkpoint_at(config.log_id, int(e.args["index"]))
        out.append(
            {
                "index": cp.index,
                "tree_size": cp.tree_size,
                "root": cp.root.hex(),
                "timestamp": cp.timestamp,
                "event": e,
            }
        )
    return out


def checkpoints_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    return Table.of(
        "checkpoints",
        [
            N_("checkpoint"),
            N_("tree size"),
            N_("root"),
            N_("anchored"),
            N_("block"),
            N_("transaction"),
        ],
        [
            (
                num(c["index"], href=links.checkpoint_url(c["index"])),
                num(c["tree_size"]),
                hexval(c["root"], links.checkpoint_url(c["index"])),
                when(c["timestamp"]),
                block_cell(c["event"].block_number),
                tx_cell(c["event"].tx_hash),
            )
            for c in reversed(rows)
        ],
    )


def score_summary(result: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "level": result["level"],
        "level_name": result.get("level_name"),
        "level_reason": result.get("level_reason"),
        "M": result.get("M"),
        "arithmetic_mean": result.get("arithmetic_mean"),
        "result_hash": result["result_hash"],
        "as_of": result["as_of"],
        "window": result.get("window"),
        "spec_version": result.get("spec_version"),
        "radar": radar(result),
        "elements": elements_table(result),
    }


# -- pages -------------------------------------------------------------------------------


def overview(panels: Panels, lg: Ledger) -> dict[str, Any]:
    versions = PolicyVersions.of(lg)

    def maturity() -> dict[str, Any]:
        result = lg.scorer.score(scope=None)
        return score_summary(result)

    scores = panels.run(lambda: published_scores(lg))
    return {
        "maturity": panels.run(maturity),
        "latest_published": scores.value[-1] if scores.value else None,
        "scores": panels.run(lambda: scores_table(scores.value or [])) if scores.ok else scores,
        "findings": panels.run(
            lambda: findings_table(findings_view(lg.findings, lg.store), versions)
        ),
        "policies": panels.run(lambda: policies_table(lg, versions)),
        "agreements": panels.run(lambda: agreements_table(lg, versions)),
        "departments": panels.run(lambda: departments_table(lg)),
        "checkpoints": panels.run(lambda: checkpoints_table(checkpoints(lg))),
    }


def scope_page(
    panels: Panels, lg: Ledger, scope: str, window_days: int | None, windows: int
) -> dict[str, Any]:
    scored = scope_of(lg, scope)
    versions = PolicyVersions.of(lg)

    def maturity() -> dict[str, Any]:
        result = lg.scorer.score(scope=scored, window_days=window_days)
        return score_summary(result) | {"indicators": indicators_table(result, scope)}

    def series() -> dict[str, Any]:
        chart, table = series_view(
            lg.scorer.series(scope=scored, windows=windows, window_days=window_days)
        )
        return {"chart": chart, "table": table}

    return {
        "scope": scope,
        "window_days": window_days,
        "windows": windows,
        "maturity": panels.run(maturity),
        "series": panels.run(series),
        "clauses": panels.run(
            lambda: clauses_table(
                lg.scorer.clauses(scope=scored, window_days=window_days), versions
            )
        ),
        "findings": panels.run(
            lambda: findings_table(findings_view(lg.findings, lg.store, scored), versions)
        ),
    }


def indicator_page(lg: Ledger, scope: str, indicator: str) -> dict[str, Any]:
    result = lg.scorer.score(scope=scope_of(lg, scope))
    found = next((i for i in result["indicators"] if i["id"] == indicator), None)
    if found is None:
        raise NotFoundError("indicator", indicator)
    versions = PolicyVersions.of(lg)
    keys = {(str(tx), int(log)) for _block, tx, log in found["evidence"]}
    to_block = result["as_of"]["block"]
    evidence = [e for e in lg.store.events(to_block=to_block) if (e.tx_hash, e.log_index) in keys]
    sample = found.get("sample") or []
    return {
        "scope": scope,
        "indicator": found,
        "as_of": result["as_of"],
        "sample": ", ".join(
            "∞" if s == "inf" else f"{s:.3f}" if isinstance(s, float) else str(s) for s in sample
        ),
        "evidence": events_table("evidence", evidence, versions),
    }


def _find_event(lg: Ledger, tx: str, log_index: int) -> EventRecord:
    for e in events_of_tx(lg, tx):
        if e.log_index == log_index:
            return e
    raise NotFoundError("event", f"{tx}/{log_index}")


def check_hash(value: str, what: str) -> str:
    """A 32-byte hash as lowercase 0x-hex; :class:`LedgerValueError` for anything else."""
    body = value.lower().removeprefix("0x")
    if len(body) != 64 or any(c not in "0123456789abcdef" for c in body):
        raise LedgerValueError(f"{what} {value!r} is not a 32-byte 0x-hex hash")
    return "0x" + body


def events_of_tx(lg: Ledger, tx: str) -> list[EventRecord]:
    tx = check_hash(tx, "transaction")
    return [e for e in lg.store.events() if e.tx_hash.lower() == tx]


def events_of_block(lg: Ledger, number: int) -> list[EventRecord]:
    return [e for e in lg.store.events(to_block=number) if e.block_number == number]


def _arg_cell(name: str, value: Any, e: EventRecord, versions: PolicyVersions) -> Cell:
    """An event argument, linked when it names something the dashboard has a page for."""
    if isinstance(value, str):
        if name == "policyId":
            return versions.policy_cell(value)
        if name == "clauseId":
            return versions.clause_cell(e.args.get("policyId"), value, e.block_number)
        if name in DEPARTMENT_ARGS:
            return department_cell(value)
        if name == "findingId":
            return text(value, links.finding_url(value))
        if name in JURISDICTION_ARGS:
            return text(value, links.jurisdiction_url(value))
        if name in CREATED_ARGS:
            return text(value, links.search_url(value))
        if value.startswith("0x") and len(value) > 42:
            return hexval(value)
    if isinstance(value, int) and not isinstance(value, bool) and _is_time(name):
        return when(value)
    if name == "scoreId" and isinstance(value, int):
        return num(value, href=links.score_url(value))
    if name == "index" and e.event == "CheckpointAnchored":
        return num(int(value), href=links.checkpoint_url(int(value)))
    if isinstance(value, list):
        return text(", ".join(str(v) for v in value))
    return text(value)


def _is_time(name: str) -> bool:
    """Whether an event argument is a UNIX time (``dueAt``, ``deadline``, ``windowEnd``…)."""
    return name.endswith("At") or name in ("deadline", "timestamp", "windowStart", "windowEnd")


def event_page(lg: Ledger, tx: str, log_index: int) -> dict[str, Any]:
    e = _find_event(lg, tx, log_index)
    versions = PolicyVersions.of(lg)
    args = Table.of(
        "arguments",
        [N_("argument"), N_("value")],
        [(text(k), _arg_cell(k, v, e, versions)) for k, v in e.args.items()],
    )
    clause = None
    policy, clause_id = e.args.get("policyId"), e.args.get("clauseId")
    if isinstance(policy, str) and policy:
        version = versions.at(policy, e.block_number)
        anchor = versions.anchor(policy, version) if version else None
        record = (
            lg.policy_book.stored_record(policy, version, str(anchor.args["digest"]))
            if anchor is not None and version is not None
            else None
        )
        text_of = None
        if record is not None and isinstance(clause_id, str):
            text_of = next((c.text for c in record.clauses if c.id == clause_id), None)
        clause = {
            "policy": policy,
            "clause": clause_id,
            "version": version,
            "title": record.title if record else None,
            "text": text_of,
            "href": versions.clause_cell(policy, clause_id, e.block_number).href,
        }
    return {"event": e, "arguments": args, "clause": clause}


def tx_page(lg: Ledger, tx: str) -> dict[str, Any]:
    tx = check_hash(tx, "transaction")
    try:
        found = lg.w3.eth.get_transaction(tx)  # type: ignore[arg-type]
        receipt = lg.w3.eth.get_transaction_receipt(tx)  # type: ignore[arg-type]
    except Exception as err:  # web3's TransactionNotFound and kin
        raise NotFoundError("transaction", tx) from err
    block = lg.w3.eth.get_block(found["blockNumber"])
    events = events_of_tx(lg, tx)
    return {
        "tx": tx,
        "block": int(found["blockNumber"]),
        "time": int(block["timestamp"]),
        "sender": found["from"],
        "to": found.get("to") or receipt.get("contractAddress"),
        "contract": _contract_name(lg, found.get("to") or receipt.get("contractAddress")),
        "status": "succeeded" if receipt["status"] == 1 else "reverted",
        "gas_used": int(receipt["gasUsed"]),
        "index": int(found["transactionIndex"]),
        "events": events_table("events", events, PolicyVersions.of(lg)),
    }


def _contract_name(lg: Ledger, address: Any) -> str | None:
    if not address:
        return None
    for name, ref in lg.deployment.contracts.items():
        if str(ref.address).lower() == str(address).lower():
            return name
    return None


def block_page(lg: Ledger, number: int) -> dict[str, Any]:
    head = int(lg.w3.eth.block_number)
    if number < 0 or number > head:
        raise NotFoundError("block", str(number))
    block = lg.w3.eth.get_block(number)
    txs = [h.to_0x_hex() if isinstance(h, bytes) else str(h) for h in block["transactions"]]
    return {
        "number": number,
        "head": head,
        "hash": block["hash"].to_0x_hex(),
        "parent": block["parentHash"].to_0x_hex(),
        "time": int(block["timestamp"]),
        "transactions": Table.of(
            "transactions", [N_("transaction")], [(tx_cell(tx),) for tx in txs]
        ),
        "events": events_table("events", events_of_block(lg, number), PolicyVersions.of(lg)),
    }


def policy_page(lg: Ledger, policy: str, version: int) -> dict[str, Any]:
    latest, revoked = lg.policies.state(policy)
    if latest == 0:
        raise NotFoundError("policy", policy)
    if not 1 <= version <= latest:
        raise NotFoundError("policy version", f"{policy} version {version}")
    anchored = lg.policies.version(policy, version)
    digest = str(anchored.digest)
    versions = PolicyVersions.of(lg)
    anchor = versions.anchor(policy, version)
    try:
        raw: bytes | None = lg.records.raw(digest.removeprefix("0x"))
    except Exception:  # missing or unreadable: said on the page
        raw = None
    recomputed = "0x" + keccak(raw).hex() if raw is not None else None
    record = lg.policy_book.stored_record(policy, version, digest)
    cited = [
        e
        for e in lg.store.events(policy_id=policy)
        if versions.at(policy, e.block_number) == version
    ]
    return {
        "policy": policy,
        "version": version,
        "latest": latest,
        "revoked": revoked,
        "digest": digest,
        "recomputed": recomputed,
        "record": record,
        "raw": raw.decode("utf-8", "replace") if raw is not None else None,
        "anchor": anchor,
        "events": events_table("events", cited, versions),
    }


def score_page(panels: Panels, lg: Ledger, score_id: int) -> dict[str, Any]:
    score = published(lg.scoreboard, score_id)
    view = publication_view(score, finalized_block(lg.handle, lg.settings.finality_depth))
    versions = PolicyVersions.of(lg)

    def verification() -> dict[str, Any]:
        chain = chain_events(lg.handle, lg.deployment, score.as_of_block)
        again = recompute(lg.score, score, chain)
        checks = verify_published(lg.score, ScoreArchive(lg.home), score, chain, recomputed=again)
        return {
            "ok": all(c.ok for c in checks),
            "recomputed": again["result_hash"],
            "checks": [c for c in checks if not c.ok],
        }

    def stored() -> dict[str, Any]:
        return score_summary(ScoreArchive(lg.home).get(score.result_hash))

    raised = [f for f in findings_view(lg.findings, lg.store) if int(f["score_id"]) == score_id]
    return {
        "score": view,
        "verification": panels.run(verification),
        "result": panels.run(stored),
        "findings": findings_table(raised, versions),
    }


def finding_page(lg: Ledger, finding_id: str) -> dict[str, Any]:
    history = [
        e for e in lg.store.events(contract="Findings") if e.args.get("findingId") == finding_id
    ]
    if not history:
        raise NotFoundError("finding", finding_id)
    finding = finding_dict(lg.findings.finding_of(finding_id))
    versions = PolicyVersions.of(lg)
    return {
        "finding": finding,
        "now": lg.clock.now(),
        "clause": versions.clause_cell(finding["policy_id"], finding["clause_id"]),
        "history": events_table("history", history, versions),
    }


def checkpoint_page(lg: Ledger, index: int) -> dict[str, Any]:
    rows = checkpoints(lg)
    found = next((c for c in rows if c["index"] == index), None)
    if found is None:
        raise NotFoundError("checkpoint", str(index))
    previous = next((c for c in rows if c["index"] == index - 1), None)
    first = previous["tree_size"] if previous else 0
    shown = range(first, min(found["tree_size"], first + 200))
    entries = Table.of(
        "entries",
        [N_("sequence")],
        [(num(seq, href=links.effect_url(seq)),) for seq in shown],
    )
    return {
        "checkpoint": found,
        "log_id": lg.effects.require_config().log_id,
        "previous": previous,
        "first_new": first,
        "entries": entries,
        "more": found["tree_size"] - first - len(shown),
        "later": [c["index"] for c in rows if c["index"] > index],
    }


def effect_page(lg: Ledger, sequence: int) -> dict[str, Any]:
    config = lg.effects.require_config()
    if sequence < 0 or sequence >= lg.effects.store.size:
        raise NotFoundError("effect-log entry", str(sequence))
    covering = next((c for c in checkpoints(lg) if c["tree_size"] > sequence), None)
    latest = lg.effects.latest()
    entry = lg.effects.store.entry(sequence).decode("utf-8")
    return {
        "sequence": sequence,
        "log_id": config.log_id,
        "entry": entry,
        "fields": Table.of(
            "fields",
            [N_("field"), N_("value")],
            [(text(k), _entry_cell(k, v)) for k, v in json.loads(entry).items()],
        ),
        "first_checkpoint": covering,
        "latest": {
            "index": latest.index,
            "tree_size": latest.tree_size,
            "root": latest.root.hex(),
        },
    }


def _entry_cell(name: str, value: Any) -> Cell:
    """A field of an effect-log entry: its time as a time, its agreement and system
    linked to the events that created them."""
    if name == "at" and isinstance(value, int):
        return when(value)
    if name in ("agreement", "system") and isinstance(value, str):
        return text(value, links.search_url(value))
    return text(value)


def consistency_page(lg: Ledger, first: int, second: int) -> dict[str, Any]:
    rows = {c["index"]: c for c in checkpoints(lg)}
    if first not in rows:
        raise NotFoundError("checkpoint", str(first))
    if second not in rows:
        raise NotFoundError("checkpoint", str(second))
    if first > second:
        raise LedgerValueError("the first checkpoint must not follow the second")
    return {"first": rows[first], "second": rows[second]}
