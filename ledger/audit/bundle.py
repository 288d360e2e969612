"""Offline audit bundles: one policy's trail, self-contained and checkable without the ledger.

``export_bundle`` writes a directory (layout in :data:`README`), reading the chain
afresh rather than trusting the index. ``check_bundle`` verifies it: for internal
consistency alone (file digests, record digests against their anchoring events,
inclusion and consistency proofs, the score's result hash and evidence root, the
finding details' digests), and, given a chain, against it (every event in its
receipt, nothing of the policy's trail left out, records, checkpoints, the score and
the findings as the contracts hold them).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

import rfc8785
from eth_typing import ChecksumAddress
from eth_utils import keccak
from web3 import Web3

from ledger.audit.checks import AuditReport
from ledger.audit.findings import finding_dict
from ledger.audit.report import render_report
from ledger.audit.scores import finalized_block
from ledger.audit.verify import AuditSources, anchored_checkpoints, audit, chain_events
from ledger.chain.deployment import ContractRef, Deployment, chain_identity
from ledger.chain.factory import ChainHandle
from ledger.chain.tx import Transactor
from ledger.effects.merkle import leaf_hash, verify_consistency, verify_inclusion
from ledger.errors import ContractRevert, LedgerError, NotFoundError, RecordError, StoreError
from ledger.i18n import DEFAULT_LANG, parse_lang
from ledger.indexer.follower import Indexer
from ledger.indexer.sources import EmbeddedLogSource
from ledger.knowledge.models import PolicyRecord
from ledger.knowledge.store import RecordStore
from ledger.maturity.engine import evidence_root, result_hash
from ledger.maturity.spec import SpecError, spec_for_hash
from ledger.mechanisms.effectlog import EffectLogContract
from ledger.mechanisms.policies import PolicyRegistryContract
from ledger.mechanisms.scoreboard import ScoreBoardContract
from ledger.store.records import EventRecord
from ledger.store.sql import EventStore
from ledger.times import format_timestamp

FORMAT = "govledger-audit-bundle/1"
DEFAULT_MAX_ENTRIES = 20_000

README = """\
# govledger audit bundle

This directory is one policy's execution trail, exported from a govledger ledger so
that it can be checked without that ledger:

    govledger audit check-bundle DIR                 # internal consistency only
    govledger audit check-bundle DIR --rpc URL       # and against a JSON-RPC node
    govledger audit check-bundle DIR --chain-dir D   # and against an embedded chain

Files:

- `manifest.json`: format, chain id and genesis hash, contract addresses, the
  policy, the block the export was read at, and the SHA-256 of every other file.
- `records/<policy>.v<N>.json`: each anchored version's record, byte for byte; its
  Keccak-256 is the `digest` of the version's `PolicyAnchored` event.
- `trail.json`: the policy's events as the chain holds them (contract, event,
  decoded arguments, block number and hash, block time, transaction hash, log
  index), in chain order, with the published score and the effect-log checkpoints.
- `effects/checkpoints.json`: the effect log's anchored checkpoints (size, root,
  anchoring transaction) and a consistency proof from each to the next.
- `effects/entries.jsonl`: the policy's effect-log entries (data-sharing calls
  under its agreements, heartbeats of its systems), each with its sequence number,
  leaf hash and inclusion proof against the latest checkpoint.
- `score/result.json`: the latest published city score's result (RFC 8785 JSON).
  Its SHA-256 without `result_hash` is the `resultHash` of its `ScorePublished`
  event; its indicators' evidence lists hash to its `evidence_root`.
- `score/publication.json`: the score's id, what the ScoreBoard anchored, and
  whether its block was final at export (`provisional`).
- `findings.json`: the policy's findings, their state at export, and their details
  (whose RFC 8785 SHA-256 is the anchored `detailDigest`).
- `checks.json`: the ledger's own audit of this trail at export time.
- `report.html`: the same for people (in English or Chinese): contents, the trail
  grouped by clause and month with a filter, the four-element chart, the findings;
  it prints with every hash in full.

Hashes are lowercase hex. Times are UNIX seconds (UTC). Effect-log hashes follow
RFC 9162: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right).
"""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


# -- export ---------------------------------------------------------------------------


def export_bundle(
    sources: AuditSources,
    policy_id: str,
    out: Path,
    *,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    progress: Callable[[str], None] | None = None,
    lang: str = DEFAULT_LANG,
) -> dict[str, Any]:
    """Write the policy's bundle into ``out`` (new or empty); returns the manifest.
    ``report.html`` is written in ``lang`` (``en`` or ``zh-CN``)."""
    language = parse_lang(lang)  # refused before any work
    say = progress or (lambda _stage: None)
    latest, _revoked = sources.policies.state(policy_id)
    if latest == 0:
        raise NotFoundError("policy", policy_id)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise StoreError(f"{out} exists and is not an empty directory; choose a new one")
    say("reading the chain")
    head = int(sources.handle.w3.eth.block_number)
    chain = chain_events(sources.handle, sources.deployment, head)
    files: dict[str, bytes] = {}

    # records
    versions = []
    for e in chain:
        if e.event != "PolicyAnchored" or e.args["policyId"] != policy_id:
            continue
        version, digest = int(e.args["version"]), str(e.args["digest"])
        entry: dict[str, Any] = {
            "version": version,
            "digest": digest,
            "block": e.block_number,
            "tx": e.tx_hash,
            "time": e.block_time,
            "effective": format_timestamp(int(e.args["effectiveAt"])),
            "file": None,
        }
        try:
            raw = sources.records.raw(digest)
        except (NotFoundError, RecordError, OSError):
            raw = None
        if raw is not None and "0x" + keccak(raw).hex() == digest:
            name = f"records/{policy_id}.v{version}.json"
            files[name] = raw
            entry["file"] = name
        versions.append(entry)
    record = _latest_record(sources.records, versions)

    # the score: the latest published city score whose result is stored intact
    say("collecting the score")
    score_events = [e for e in chain if e.event == "ScorePublished" and e.args["scope"] == "city"]
    publication: dict[str, Any] | None = None
    score_result: dict[str, Any] | None = None
    archive = sources.archive
    for e in reversed(score_events):
        digest = str(e.args["resultHash"]).removeprefix("0x")
        try:
            stored = archive.get(digest)
        except LedgerError:
            continue
        if result_hash(stored) != digest:
            continue
        score_result = stored
        publication = {
            "score_id": int(e.args["scoreId"]),
            "scope": "city",
            "spec_hash": str(e.args["specHash"]),
            "as_of_block": int(e.args["asOfBlock"]),
            "evidence_root": str(e.args["evidenceRoot"]),
            "result_hash": str(e.args["resultHash"]),
            "window_start": int(e.args["windowStart"]),
            "window_end": int(e.args["windowEnd"]),
            "block": e.block_number,
            "tx": e.tx_hash,
            "provisional": int(e.args["asOfBlock"])
            > finalized_block(sources.handle, sources.finality_depth),
        }
        files["score/result.json"] = archive.path(digest).read_bytes()
        files["score/publication.json"] = _json_bytes(publication)
        break

    # the trail: the policy's events, the chosen score's publication, the log's checkpoints
    trail = [
        e
        for e in chain
        if e.args.get("policyId") == policy_id
        or (
            e.event == "ScorePublished"
            and publication is not None
            and int(e.args["scoreId"]) == publication["score_id"]
        )
    ]

    # the effect log
    say("proving effect-log entries")
    checkpoints, entries, entries_note = _effects(sources, chain, trail, policy_id, max_entries)
    if checkpoints:
        log_id = checkpoints[0]["log_id"]
        keys = {(e.tx_hash, e.log_index) for e in trail}
        trail += [
            e
            for e in chain
            if e.event == "CheckpointAnchored"
            and e.args["logId"] == log_id
            and (e.tx_hash, e.log_index) not in keys
        ]
        trail.sort(key=lambda e: (e.block_number, e.log_index))
        files["effects/checkpoints.json"] = _json_bytes(checkpoints)
        files["effects/entries.jsonl"] = b"".join(
            (json.dumps(x, sort_keys=True) + "\n").encode() for x in entries
        )
    files["trail.json"] = _json_bytes(
        {
            "policy": {"id": policy_id, "versions": versions} | _record_summary(record),
            "events": [asdict(e) for e in trail],
        }
    )

    # findings
    findings = []
    for e in trail:
        if e.event != "FindingRaised":
            continue
        f = sources.findings.finding_of(e.args["findingId"])
        path = sources.findings_dir / f"{f.finding_id}.json"
        try:
            details: Any = json.loads(path.read_bytes())
        except (OSError, ValueError):
            details = None
        findings.append({**finding_dict(f), "details": details})
    files["findings.json"] = _json_bytes(findings)

    say("auditing the trail")
    report = audit(sources, policy_id, chain=chain)
    if entries_note:
        report.notes.append(entries_note)
    files["checks.json"] = _json_bytes(report.to_dict())

    generated = format_timestamp(sources.clock.now())
    files["report.html"] = render_report(
        {
            "generated_at": generated,
            "chain": {
                "chain_id": sources.deployment.chain_id,
                "genesis_hash": sources.deployment.genesis_hash,
            },
            "policy": {"id": policy_id, "versions": versions} | _record_summary(record),
            "events": [asdict(e) for e in trail],
            "checkpoints": [
                {
                    "index": c["index"],
                    "tree_size": c["tree_size"],
                    "root": "0x" + c["root"],
                    "timestamp": c["timestamp"],
                }
                for c in checkpoints
            ],
            "effect_entries": len(entries),
            "score": score_result,
            "publication": publication,
            "findings": findings,
            "checks": [
                {
                    "check": f"{c.area}: {c.subject}",
                    "ok": c.ok,
                    "detail": c.detail,
                    "where": c.where,
                }
                for c in report.checks
            ],
        },
        language,
    ).encode()
    files["README.md"] = README.encode()

    manifest = {
        "format": FORMAT,
        "policy_id": policy_id,
        "generated_at": generated,
        "as_of_block": head,
        "chain": {
            "chain_id": sources.deployment.chain_id,
            "genesis_hash": sources.deployment.genesis_hash,
            "contracts": {
                name: {"address": ref.address, "block": ref.block, "tx_hash": ref.tx_hash}
                for name, ref in sources.deployment.contracts.items()
            },
        },
        "effect_entries": {"included": len(entries), "note": entries_note},
        "files": {name: _sha256(data) for name, data in sorted(files.items())},
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    tmp = out / "manifest.json.tmp"
    tmp.write_bytes(_json_bytes(manifest))
    os.replace(tmp, out / "manifest.json")  # last: a bundle without one is incomplete
    return manifest


def _latest_record(records: RecordStore, versions: list[dict[str, Any]]) -> PolicyRecord | None:
    for v in reversed(versions):
        if v["file"] is not None:
            try:
                return records.load_raw_record(v["digest"])
            except RecordError:
                return None
    return None


def _record_summary(record: PolicyRecord | None) -> dict[str, Any]:
    if record is None:
        return {"title": None, "issuer": None, "kind": None, "element": None}
    return {
        "title": record.title,
        "issuer": record.issuer,
        "kind": record.kind,
        "element": record.element,
    }


def _effects(
    sources: AuditSources,
    chain: Sequence[EventRecord],
    trail: Sequence[EventRecord],
    policy_id: str,
    max_entries: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str | None]:
    """Checkpoints with consistency proofs, and the policy's entries with inclusion proofs."""
    effects = sources.effects
    config = effects.config
    if config is None:
        return [], [], None
    agreements = {e.args["agreementId"] for e in trail if e.event == "AgreementCommitted"}
    systems = {e.args["systemId"] for e in trail if e.event == "SystemConnected"}
    whole_log = config.policy_id == policy_id
    if not (whole_log or agreements or systems):
        return [], [], None
    try:
        anchored = anchored_checkpoints(effects.contract, config.log_id, chain)
    except ContractRevert:
        return [], [], None
    if not anchored:
        return [], [], None
    store = effects.store
    checkpoints = []
    previous = None
    for a in anchored:
        cp = a.checkpoint
        proof: list[bytes] = (
            store.consistency_proof(previous.tree_size, cp.tree_size)
            if previous is not None and previous.tree_size and cp.tree_size <= store.size
            else []
        )
        checkpoints.append(
            {
                "log_id": cp.log_id,
                "index": cp.index,
                "tree_size": cp.tree_size,
                "root": cp.root.hex(),
                "timestamp": cp.timestamp,
                "block": a.event.block_number if a.event else None,
                "tx": a.event.tx_hash if a.event else None,
                "consistency_from_previous": [p.hex() for p in proof],
            }
        )
        previous = cp
    last = anchored[-1].checkpoint
    entries: list[dict[str, Any]] = []
    relevant = 0
    for seq, leaf, facts, body in store.rows():
        if seq >= last.tree_size:
            break
        wanted = whole_log or (
            facts.agreement in agreements if facts.kind == "call" else facts.system in systems
        )
        if not wanted:
            continue
        relevant += 1
        if len(entries) >= max_entries:
            continue
        entries.append(
            {
                "seq": seq,
                "entry": body.decode("utf-8"),
                "leaf_hash": leaf.hex(),
                "checkpoint": last.index,
                "proof": [p.hex() for p in store.inclusion_proof(seq, last.tree_size)],
            }
        )
    note = None
    if relevant > len(entries):
        note = (
            f"{relevant} effect-log entries concern this policy; the first {len(entries)}"
            " are included with proofs (raise --max-entries for more)"
        )
    return checkpoints, entries, note


# -- check ----------------------------------------------------------------------------


def _load_json(path: Path) -> Any:
    return json.loads(path.read_bytes())


def check_bundle(directory: Path, handle: ChainHandle | None = None) -> AuditReport:
    """Verify a bundle; against the chain behind ``handle`` when one is given."""
    report = AuditReport()
    manifest_path = directory / "manifest.json"
    try:
        manifest = _load_json(manifest_path)
    except FileNotFoundError:
        raise StoreError(
            f"{directory} holds no manifest.json: it is not a govledger audit bundle"
            " (or its export did not finish)"
        ) from None
    except ValueError as err:
        raise StoreError(f"{manifest_path} is not valid JSON: {err}") from err
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise StoreError(f"{manifest_path} is not a {FORMAT} manifest")

    # file digests
    contents: dict[str, bytes] = {}
    for name, digest in sorted(manifest["files"].items()):
        path = directory / name
        try:
            data = path.read_bytes()
        except OSError:
            report.add("bundle", name, False, "the file is missing", name)
            continue
        contents[name] = data
        ok = _sha256(data) == digest
        report.add(
            "bundle",
            name,
            ok,
            "matches the manifest" if ok else f"hashes to {_sha256(data)}, not {digest}",
            None if ok else name,
        )
    try:
        trail = json.loads(contents["trail.json"])
        events = [EventRecord(**d) for d in trail["events"]]
    except (KeyError, ValueError, TypeError) as err:
        report.add("bundle", "trail.json", False, f"unreadable: {err}", "trail.json")
        return report
    policy_id = str(manifest["policy_id"])

    _check_records(report, trail, events, contents)
    _check_effects(report, contents)
    _check_score(report, events, contents)
    _check_findings(report, events, contents)
    if handle is not None:
        _check_against_chain(report, handle, manifest, trail, events, policy_id, contents)
    return report


def _check_records(
    report: AuditReport,
    trail: Mapping[str, Any],
    events: Sequence[EventRecord],
    contents: Mapping[str, bytes],
) -> None:
    anchors = {
        int(e.args["version"]): str(e.args["digest"]) for e in events if e.event == "PolicyAnchored"
    }
    for v in trail["policy"]["versions"]:
        version = int(v["version"])
        subject = f"record {trail['policy']['id']} v{version}"
        name = v.get("file")
        if name is None or name not in contents:
            report.add("records", subject, False, "the record is not in the bundle", name)
            continue
        digest = "0x" + keccak(contents[name]).hex()
        want = anchors.get(version)
        ok = digest == want
        report.add(
            "records",
            subject,
            ok,
            f"hashes to the digest anchored in its PolicyAnchored event ({want})"
            if ok
            else f"hashes to {digest}, but the anchoring event says {want}",
            None if ok else name,
        )


def _check_effects(report: AuditReport, contents: Mapping[str, bytes]) -> None:
    if "effects/checkpoints.json" not in contents:
        return
    checkpoints = json.loads(contents["effects/checkpoints.json"])
    by_index = {int(c["index"]): c for c in checkpoints}
    previous = None
    for c in checkpoints:
        if previous is not None and int(previous["tree_size"]) > 0:
            ok = verify_consistency(
                int(previous["tree_size"]),
                int(c["tree_size"]),
                bytes.fromhex(previous["root"]),
                bytes.fromhex(c["root"]),
                [bytes.fromhex(p) for p in c["consistency_from_previous"]],
            )
            report.add(
                "effects",
                f"checkpoints {previous['index']} → {c['index']}",
                ok,
                "the consistency proof holds" if ok else "the consistency proof fails",
                None if ok else f"effects/checkpoints.json index {c['index']}",
            )
        previous = c
    bad = 0
    total = 0
    for line_no, line in enumerate(contents.get("effects/entries.jsonl", b"").splitlines(), 1):
        total += 1
        item = json.loads(line)
        cp = by_index.get(int(item["checkpoint"]))
        body = str(item["entry"]).encode()
        leaf = leaf_hash(body)
        ok = (
            cp is not None
            and leaf.hex() == item["leaf_hash"]
            and verify_inclusion(
                leaf,
                int(item["seq"]),
                int(cp["tree_size"]),
                [bytes.fromhex(p) for p in item["proof"]],
                bytes.fromhex(cp["root"]),
            )
        )
        if not ok:
            bad += 1
            if bad <= 20:
                report.add(
                    "effects",
                    f"entry {item['seq']}",
                    False,
                    "the entry is not included in its checkpoint (entry or proof altered)",
                    f"effects/entries.jsonl line {line_no}, seq {item['seq']}",
                )
    if total:
        report.add(
            "effects",
            f"{total} effect-log entries",
            bad == 0,
            "each is proven included in an anchored checkpoint"
            if bad == 0
            else f"{bad} of {total} entries fail their inclusion proof",
        )


def _check_score(
    report: AuditReport, events: Sequence[EventRecord], contents: Mapping[str, bytes]
) -> None:
    if "score/result.json" not in contents:
        return
    result = json.loads(contents["score/result.json"])
    publication = json.loads(contents["score/publication.json"])
    subject = f"score {publication['score_id']}"
    published = [
        e
        for e in events
        if e.event == "ScorePublished" and int(e.args["scoreId"]) == publication["score_id"]
    ]
    own = result_hash(result)
    if not published:
        report.add(
            "scores", subject, False, "its ScorePublished event is not in the trail", "trail.json"
        )
        return
    anchored = published[0].args
    ok = own == result.get("result_hash") == str(anchored["resultHash"]).removeprefix("0x")
    report.add(
        "scores",
        f"{subject} result hash",
        ok,
        f"the result hashes to the anchored resultHash {own}"
        if ok
        else f"the result hashes to {own}; the anchored resultHash is {anchored['resultHash']}",
        None if ok else "score/result.json",
    )
    try:
        root = evidence_root(
            spec_for_hash(str(result["spec_hash"])),
            {i["id"]: [tuple(k) for k in i["evidence"]] for i in result["indicators"]},
        )
    except (KeyError, TypeError, ValueError, SpecError) as err:
        report.add(
            "scores",
            f"{subject} evidence root",
            False,
            f"cannot recompute: {err}",
            "score/result.json",
        )
        return
    ok = root == result.get("evidence_root") == str(anchored["evidenceRoot"]).removeprefix("0x")
    report.add(
        "scores",
        f"{subject} evidence root",
        ok,
        f"the indicators' evidence hashes to the anchored evidenceRoot {root}"
        if ok
        else f"the evidence hashes to {root}; anchored {anchored['evidenceRoot']}",
        None if ok else "score/result.json",
    )


def _check_findings(
    report: AuditReport, events: Sequence[EventRecord], contents: Mapping[str, bytes]
) -> None:
    if "findings.json" not in contents:
        return
    raised = {e.args["findingId"]: e for e in events if e.event == "FindingRaised"}
    for f in json.loads(contents["findings.json"]):
        subject = f"finding {f['finding_id']}"
        event = raised.get(f["finding_id"])
        if event is None:
            report.add(
                "findings",
                subject,
                False,
                "its FindingRaised event is not in the trail",
                "findings.json",
            )
            continue
        if f.get("details") is None:
            report.add("findings", subject, False, "its details are missing", "findings.json")
            continue
        digest = "0x" + hashlib.sha256(rfc8785.dumps(f["details"])).hexdigest()
        ok = digest == event.args["detailDigest"]
        report.add(
            "findings",
            subject,
            ok,
            "its details hash to the anchored detailDigest"
            if ok
            else f"its details hash to {digest}; anchored {event.args['detailDigest']}",
            None if ok else f"findings.json {f['finding_id']}",
        )


def _check_against_chain(
    report: AuditReport,
    handle: ChainHandle,
    manifest: Mapping[str, Any],
    trail: Mapping[str, Any],
    events: Sequence[EventRecord],
    policy_id: str,
    contents: Mapping[str, bytes],
) -> None:
    w3: Web3 = handle.w3
    chain_id, genesis = chain_identity(w3)
    want = manifest["chain"]
    same = chain_id == want["chain_id"] and genesis == want["genesis_hash"]
    report.add(
        "chain",
        "chain identity",
        same,
        f"chain id {chain_id} and genesis {genesis} match the bundle"
        if same
        else f"this chain (id {chain_id}, genesis {genesis}) is not the bundle's"
        f" (id {want['chain_id']}, genesis {want['genesis_hash']})",
    )
    if not same:
        return
    deployment = Deployment(
        int(want["chain_id"]),
        str(want["genesis_hash"]),
        {
            name: ContractRef(
                cast(ChecksumAddress, ref["address"]), ref["tx_hash"], int(ref["block"])
            )
            for name, ref in want["contracts"].items()
        },
    )
    as_of = int(manifest["as_of_block"])
    scratch = EventStore("sqlite://")
    try:
        source = EmbeddedLogSource(handle.backend) if handle.backend is not None else None
        Indexer(w3, deployment, scratch, source).sync(to_block=as_of)
        on_chain = scratch.events()
    finally:
        scratch.close()
    by_key = {(e.tx_hash, e.log_index): e for e in on_chain}
    bundled = {(e.tx_hash, e.log_index): e for e in events}
    mismatched = 0
    for key, e in bundled.items():
        c = by_key.get(key)
        if c is None or c != e:
            mismatched += 1
            report.add(
                "chain",
                f"event {e.contract}.{e.event}",
                False,
                "not on chain" if c is None else "differs from the chain's event",
                f"block {e.block_number}, tx {e.tx_hash}, log {e.log_index}",
            )
    report.add(
        "chain",
        f"{len(bundled)} trail events",
        mismatched == 0,
        "each is on chain with identical data, block and transaction"
        if mismatched == 0
        else f"{mismatched} of {len(bundled)} differ from the chain",
    )
    expected = [e for e in on_chain if e.args.get("policyId") == policy_id]
    left_out = [e for e in expected if (e.tx_hash, e.log_index) not in bundled]
    for e in left_out[:20]:
        report.add(
            "chain",
            f"event {e.contract}.{e.event}",
            False,
            "the chain holds this event of the policy but the bundle leaves it out",
            f"block {e.block_number}, tx {e.tx_hash}, log {e.log_index}",
        )
    report.add(
        "chain",
        "completeness",
        not left_out,
        f"the bundle holds all {len(expected)} events of {policy_id} up to block {as_of}"
        if not left_out
        else f"{len(left_out)} events of {policy_id} on chain are missing from the bundle",
    )
    tx = Transactor(w3, None)
    registry = PolicyRegistryContract(tx, deployment.address("PolicyRegistry"))
    for v in trail["policy"]["versions"]:
        try:
            digest = registry.version(policy_id, int(v["version"])).digest
        except ContractRevert as err:
            digest = f"<{err}>"
        ok = digest == v["digest"]
        report.add(
            "chain",
            f"record {policy_id} v{v['version']} anchor",
            ok,
            "the registry holds this digest" if ok else f"the registry holds {digest}",
            None if ok else f"records v{v['version']}",
        )
    if "effects/checkpoints.json" in contents:
        log = EffectLogContract(tx, deployment.address("EffectLog"))
        for c in json.loads(contents["effects/checkpoints.json"]):
            cp = log.checkpoint_at(c["log_id"], int(c["index"]))
            ok = cp.tree_size == c["tree_size"] and cp.root.hex() == c["root"]
            report.add(
                "chain",
                f"checkpoint {c['index']} of {c['log_id']}",
                ok,
                "the EffectLog contract holds this size and root"
                if ok
                else f"the contract holds size {cp.tree_size}, root {cp.root.hex()}",
                None if ok else f"effects/checkpoints.json index {c['index']}",
            )
    if "score/publication.json" in contents:
        pub = json.loads(contents["score/publication.json"])
        board = ScoreBoardContract(tx, deployment.address("ScoreBoard"))
        s = board.score_of(int(pub["score_id"]))
        ok = (
            "0x" + s.result_hash == pub["result_hash"]
            and "0x" + s.evidence_root == pub["evidence_root"]
            and s.as_of_block == pub["as_of_block"]
        )
        report.add(
            "chain",
            f"score {pub['score_id']}",
            ok,
            "the ScoreBoard holds this publication"
            if ok
            else f"the ScoreBoard holds result {s.result_hash}, root {s.evidence_root}",
            None if ok else "score/publication.json",
        )


__all__ = ["DEFAULT_MAX_ENTRIES", "FORMAT", "README", "check_bundle", "export_bundle"]
