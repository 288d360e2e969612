"""Published scores: anchor a score result on the ScoreBoard, keep it, and recompute it.

A published score is the tuple ``(spec_hash, as_of block, evidence_root,
result_hash)`` with its scope and window, on chain; the full result is kept in
``<home>/scores/<result_hash>.json`` as its RFC 8785 bytes, written *before* the
transaction is sent, so a crash never leaves a score on chain whose result is lost.

Verifying a score recomputes it at its ``as_of`` block from the events read afresh
from the chain (not the index, which may have been altered), the records whose
bytes hash to their anchored digests and the effect-log entries its anchored
checkpoints cover, then compares the ``result_hash``. On a difference the
indicators that differ are named.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ledger.audit.checks import Check
from ledger.chain.factory import ChainHandle
from ledger.chain.types import TxRef
from ledger.core import Ledger
from ledger.errors import ContractRevert, NotFoundError, StoreError
from ledger.maturity.engine import canonical_result_bytes, result_hash
from ledger.maturity.scopes import jurisdiction_of_label
from ledger.maturity.service import DAY, ScoreFunction
from ledger.maturity.spec import SpecError, spec_for_hash
from ledger.mechanisms.scoreboard import PublishedScore, ScoreBoardContract
from ledger.mechanisms.signers import Signers
from ledger.store.records import EventRecord

#: Blocks after which a block counts as final on a JSON-RPC node that reports no
#: ``finalized`` block. The embedded chain has one producer and no reorgs: 0.
DEFAULT_FINALITY_DEPTH = 12


class ScoreArchive:
    """Score results by their ``result_hash``, as canonical bytes."""

    def __init__(self, home: Path) -> None:
        self.directory = home / "scores"

    def path(self, digest: str) -> Path:
        return self.directory / f"{digest.removeprefix('0x').lower()}.json"

    def put(self, result: Mapping[str, Any]) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path(str(result["result_hash"]))
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(canonical_result_bytes(result))
        os.replace(tmp, path)
        return path

    def get(self, digest: str) -> dict[str, Any]:
        """The stored result; NotFoundError if none, StoreError if it is no JSON object."""
        path = self.path(digest)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError("stored score result", digest) from None
        try:
            value = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise StoreError(f"{path} is not valid JSON: {err}") from err
        if not isinstance(value, dict):
            raise StoreError(f"{path} holds no score result")
        return value


@dataclass(frozen=True)
class Publication:
    score_id: int
    result: dict[str, Any]
    tx: TxRef
    path: Path


def ensure_role(signers: Signers, role: str) -> None:
    """Grant ``role`` to the ledger's administrator key if it lacks it (SCORER, AUDITOR)."""
    admin = signers.admin()
    if not signers.directory.has_role(role, admin.address):
        signers.directory.grant_role(role, admin.address, by=admin)


def publish_score(
    score: ScoreFunction,
    scoreboard: ScoreBoardContract,
    signers: Signers,
    archive: ScoreArchive,
    *,
    scope: str | None = None,
    window_days: int | None = None,
    spec_version: int | None = None,
) -> Publication:
    """Score ``scope`` (the city when None, a department id, or a jurisdiction as ``@id``)
    at the chain head under spec ``spec_version`` (default: the latest) and
    anchor it, signed by the administrator (SCORER).

    The score reads the index as it is: sync it first to score the chain's head.
    """
    if (
        scope is not None
        and jurisdiction_of_label(scope) is None
        and not signers.directory.is_department(scope)
    ):
        raise NotFoundError("department", scope)
    ensure_role(signers, "SCORER")
    result = score(scope=scope, window_days=window_days, spec_version=spec_version)
    path = archive.put(result)
    receipt = scoreboard.publish(
        signers.admin(),
        scope=str(result["scope"]),
        spec_hash=str(result["spec_hash"]),
        as_of_block=int(result["as_of"]["block"]),
        evidence_root=str(result["evidence_root"]),
        result_hash=str(result["result_hash"]),
        window_start=int(result["window"]["start"]),
        window_end=int(result["window"]["end"]),
    )
    score_id = scoreboard.count()
    for log in scoreboard.contract.events.ScorePublished().process_receipt(receipt):
        score_id = int(log["args"]["scoreId"])
    return Publication(score_id, result, TxRef.of(receipt), path)


def publish_ledger_score(
    ledger: Ledger,
    *,
    scope: str | None = None,
    window_days: int | None = None,
    spec_version: int | None = None,
) -> Publication:
    """:func:`publish_score` with ``ledger``'s parts, its results kept in its home."""
    return publish_score(
        ledger.score,
        ledger.scoreboard,
        ledger.signers,
        ScoreArchive(ledger.home),
        scope=scope,
        window_days=window_days,
        spec_version=spec_version,
    )


def finalized_block(handle: ChainHandle, depth: int | None) -> int:
    """The newest block that counts as final on this chain (``depth``: the finality setting)."""
    w3 = handle.w3
    head = int(w3.eth.block_number)
    if handle.backend is not None:
        return head - (depth or 0)
    if depth is None:
        try:
            return int(w3.eth.get_block("finalized")["number"])
        except Exception:  # a node without the tag
            depth = DEFAULT_FINALITY_DEPTH
    return head - depth


def published(scoreboard: ScoreBoardContract, score_id: int) -> PublishedScore:
    try:
        return scoreboard.score_of(score_id)
    except ContractRevert as err:
        if err.name == "ScoreUnknown":
            raise NotFoundError("published score", str(score_id)) from None
        raise


def recompute(
    scorer: ScoreFunction, score: PublishedScore, events: Sequence[EventRecord] | None = None
) -> dict[str, Any]:
    """The result at the score's ``as_of`` block, from ``events`` (default: the index),
    under the spec version the score was published with (named by its ``spec_hash``)."""
    days, rest = divmod(score.window_end - score.window_start, DAY)
    if rest:
        raise StoreError(f"score {score.score_id} has a window of no whole number of days")
    return scorer(
        scope=None if score.scope == "city" else score.scope,
        window_days=days,
        as_of_block=score.as_of_block,
        events=events,
        spec_version=spec_for_hash(score.spec_hash).version,
    )


def differences(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """What differs between two results: indicator ids first, then elements and fields."""
    out: list[str] = []
    want = {i.get("id"): i for i in expected.get("indicators", []) if isinstance(i, dict)}
    got = {i.get("id"): i for i in actual.get("indicators", []) if isinstance(i, dict)}
    for key in sorted(set(want) | set(got), key=str):
        a, b = want.get(key), got.get(key)
        if a != b:
            fields = sorted(
                k for k in set(a or {}) | set(b or {}) if (a or {}).get(k) != (b or {}).get(k)
            )
            out.append(f"indicator {key} ({', '.join(fields)})")
    want_el = {e.get("id"): e for e in expected.get("elements", []) if isinstance(e, dict)}
    got_el = {e.get("id"): e for e in actual.get("elements", []) if isinstance(e, dict)}
    for key in sorted(set(want_el) | set(got_el), key=str):
        if want_el.get(key) != got_el.get(key):
            out.append(f"element {key}")
    for key in sorted(set(expected) | set(actual)):
        if key in ("indicators", "elements", "result_hash"):
            continue
        if expected.get(key) != actual.get(key):
            out.append(key)
    return out


def verify_published(
    scorer: ScoreFunction,
    archive: ScoreArchive,
    score: PublishedScore,
    events: Sequence[EventRecord] | None = None,
    *,
    recomputed: dict[str, Any] | None = None,
) -> list[Check]:
    """Check a published score: its stored result, and a recomputation from ``events``."""
    checks: list[Check] = []
    subject = f"score {score.score_id} ({score.scope}, as of block {score.as_of_block})"
    where = f"score {score.score_id}"
    file = archive.path(score.result_hash).name
    if recomputed is None:
        try:
            recomputed = recompute(scorer, score, events)
        except (StoreError, ValueError, SpecError) as err:
            recomputed = None
            checks.append(Check("scores", subject, False, f"cannot recompute: {err}", where))
    stored: dict[str, Any] | None = None
    try:
        stored = archive.get(score.result_hash)
    except NotFoundError:
        checks.append(
            Check("scores", subject, False, f"the stored result {file} is missing", where)
        )
    except StoreError as err:
        checks.append(Check("scores", subject, False, str(err), f"{where}: {file}"))
    stored_sound = (
        stored is not None
        and result_hash(stored) == score.result_hash
        and stored.get("result_hash") == score.result_hash
    )
    if stored is not None:
        mismatched = [] if stored_sound else ["result_hash"]
        if stored_sound:
            if str(stored.get("spec_hash")) != score.spec_hash:
                mismatched.append("spec_hash")
            if str(stored.get("evidence_root")) != score.evidence_root:
                mismatched.append("evidence_root")
            as_of = stored.get("as_of")
            if not isinstance(as_of, dict) or as_of.get("block") != score.as_of_block:
                mismatched.append("as_of.block")
        if not mismatched:
            checks.append(
                Check("scores", subject, True, "the stored result matches the anchored hashes")
            )
        else:
            detail = (
                f"the stored result {file} hashes to {result_hash(stored)} and says"
                f" result_hash {stored.get('result_hash')!r}, not the anchored"
                f" {score.result_hash} (it was altered after publishing)"
                if not stored_sound
                else f"the stored result differs from the anchored {', '.join(mismatched)}"
            )
            named: list[str] = []
            if recomputed is not None and recomputed["result_hash"] == score.result_hash:
                named = differences(recomputed, stored)
                if named:
                    detail += f"; it differs from the recomputed result in {', '.join(named)}"
            checks.append(
                Check(
                    "scores",
                    subject,
                    False,
                    detail,
                    f"{where}: {file}" + (f", {named[0]}" if named else ""),
                )
            )
    if recomputed is None:
        return checks
    if recomputed["result_hash"] == score.result_hash:
        checks.append(
            Check(
                "scores",
                f"{subject} recomputed",
                True,
                f"recomputing from the chain gives the anchored result_hash {score.result_hash}",
            )
        )
        return checks
    named = differences(stored, recomputed) if stored is not None and stored_sound else []
    detail = (
        f"recomputing from the chain gives result_hash {recomputed['result_hash']},"
        f" not the anchored {score.result_hash}"
    )
    if named:
        detail += f"; differs in {', '.join(named)}"
    checks.append(
        Check(
            "scores",
            f"{subject} recomputed",
            False,
            detail,
            f"{where}: {named[0]}" if named else where,
        )
    )
    return checks


def publication_view(score: PublishedScore, finalized: int) -> dict[str, Any]:
    """A published score as plain data, with whether its ``as_of`` block is final yet
    (``finalized``: the newest final block, :func:`finalized_block`)."""
    final = score.as_of_block <= finalized
    return asdict(score) | {"provisional": not final}


__all__ = [
    "DEFAULT_FINALITY_DEPTH",
    "Publication",
    "ScoreArchive",
    "differences",
    "ensure_role",
    "finalized_block",
    "publication_view",
    "publish_ledger_score",
    "publish_score",
    "published",
    "recompute",
    "verify_published",
]
