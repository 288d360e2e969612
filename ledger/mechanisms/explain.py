"""Contract errors explained in words, for the command line and the API alike.

Every custom error the contracts declare has one sentence here, keyed by its signature
with argument names (``AgreementUnknown(agreementId)``; two contracts declare an
``InvalidScore`` with different arguments). :func:`explain` fills the sentence with the
error's decoded arguments and names the error at the end::

    no data-sharing agreement 'agr.nope' exists (AgreementUnknown)

Arguments arrive decoded (:func:`ledger.chain.abi.plain`): ids as text, addresses
checksummed, digests as 0x-hex. A placeholder's format spec says how to show a number:
``time`` (a Unix time, :func:`ledger.times.format_timestamp`), ``duration`` (seconds),
``ppm`` (a share in parts per million), ``role`` (a role id by its name) or an enum of the
mechanisms (``stage``, ``drill``, ``kind``, ``period``, ``finding``, ``permission``). Text
is quoted, 0x-values and numbers are shown as they are.

A test walks every custom error in ``ledger/artifacts`` and fails on one with no
sentence here, or whose sentence leaves an argument out.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from ledger.errors import NOT_YOURS, ContractRevert
from ledger.mechanisms.base import role_name
from ledger.mechanisms.drills import DrillKind, DrillStatus
from ledger.mechanisms.findings import FindingStatus
from ledger.mechanisms.sharing import PeriodStatus, Permission
from ledger.mechanisms.workorders import Stage
from ledger.times import format_timestamp


@dataclass(frozen=True)
class Explanation:
    """One custom error's sentence; ``unknown_id`` when the error means "no such id"."""

    words: str
    unknown_id: bool = False


def _unknown(words: str) -> Explanation:
    return Explanation(words, unknown_id=True)


def _not_yours(name: str) -> Explanation:
    """The sentence :data:`ledger.errors.NOT_YOURS` already gives (one wording for both)."""
    return Explanation(NOT_YOURS[name])


#: One sentence per custom error, by signature ``Name(argName, ...)``.
EXPLANATIONS: dict[str, Explanation] = {
    # -- roles and departments (Directory, every mechanism) --
    "AccessControlBadConfirmation()": Explanation("an account may renounce a role only for itself"),
    "AccessControlUnauthorizedAccount(account,neededRole)": Explanation(
        "account {account} does not hold the {neededRole:role} role"
    ),
    "Unauthorized(account,neededRole)": Explanation(
        "account {account} does not hold the {neededRole:role} role this needs"
    ),
    "AccountAlreadyBound(account,departmentId)": Explanation(
        "account {account} already acts for department {departmentId}"
    ),
    "DepartmentExists(departmentId)": Explanation("department {departmentId} already exists"),
    "DepartmentUnknown(departmentId)": _unknown("no department {departmentId} exists"),
    "InvalidDepartment(departmentId,account)": Explanation(
        "a department needs an id and an account, not {departmentId} and {account}"
    ),
    "NotADepartment(account)": Explanation(
        "account {account} acts for no department (or its department is disabled)"
    ),
    "NotOwner(subject,subjectId,ownerDepartment,callerDepartment)": _not_yours("NotOwner"),
    "JurisdictionExists(jurisdictionId)": Explanation(
        "jurisdiction {jurisdictionId} already exists"
    ),
    "JurisdictionUnknown(jurisdictionId)": _unknown("no jurisdiction {jurisdictionId} exists"),
    "InvalidJurisdiction(jurisdictionId)": Explanation(
        "a jurisdiction needs a non-empty id, not {jurisdictionId}"
    ),
    "JurisdictionCycle(jurisdictionId,newParentId)": Explanation(
        "jurisdiction {jurisdictionId} cannot move under {newParentId}: that is itself or"
        " one of its own descendants"
    ),
    "InvalidTier(jurisdictionId,tier,parentTier)": Explanation(
        "jurisdiction {jurisdictionId} of tier {tier} cannot sit under a jurisdiction of"
        " tier {parentTier}: a child's tier is below its parent's (province 1, city 2,"
        " district 3, street 4, community 5, grid 6)"
    ),
    "DepartmentAlreadyPlaced(departmentId,jurisdictionId)": Explanation(
        "department {departmentId} already belongs to jurisdiction {jurisdictionId}"
    ),
    "DepartmentNotPlaced(departmentId)": Explanation(
        "department {departmentId} belongs to no jurisdiction yet: place it first"
    ),
    "InvalidMilestones(jurisdictionId)": Explanation(
        "the milestones of jurisdiction {jurisdictionId} must have rising times and levels"
        " from 1 to 5 that never fall"
    ),
    "ClauseNotInForce(policyId,clauseId)": Explanation(
        "clause {clauseId} of policy {policyId} is not in force (no such clause, or the"
        " policy is revoked or superseded)"
    ),
    # -- policies (PolicyRegistry) --
    "PolicyUnknown(policyId)": _unknown("no policy {policyId} is anchored"),
    "PolicyIsRevoked(policyId)": Explanation("policy {policyId} is revoked"),
    "InvalidDigest(policyId)": Explanation(
        "policy {policyId} needs an id and a non-zero record digest"
    ),
    "ClausesMismatch(ids,digests)": Explanation(
        "a policy version needs one digest per clause and at least one clause, not"
        " {ids} clause ids and {digests} digests"
    ),
    "InvalidClause(policyId,clauseId)": Explanation(
        "clause {clauseId} of policy {policyId} is empty, has no digest or appears twice"
    ),
    "VersionOutOfOrder(policyId,expected,given)": Explanation(
        "policy {policyId} expects version {expected} next, not {given}"
    ),
    "ApprovalRequired(policyId)": Explanation(
        "policy {policyId} is city-level: a new version is proposed and approved by two"
        " leaders (govledger policy approve)"
    ),
    "ProposalPending(policyId,version)": Explanation(
        "version {version} of policy {policyId} is already proposed and waits for approval"
    ),
    "NoSuchProposal(policyId,version)": _unknown(
        "no proposal of policy {policyId} version {version} waits for approval"
    ),
    "AlreadyApproved(policyId,version,leader)": Explanation(
        "leader {leader} has already approved policy {policyId} version {version}"
    ),
    "DigestMismatch(policyId,version,proposedDigest,givenDigest)": Explanation(
        "the approval of policy {policyId} version {version} names digest {givenDigest},"
        " but the proposal's digest is {proposedDigest}"
    ),
    # -- data sharing (DataSharing) --
    "ItemExists(itemId)": Explanation("catalog item {itemId} is already registered"),
    "ItemUnknown(itemId)": _unknown("no catalog item {itemId} is registered"),
    "InvalidItem(itemId)": Explanation(
        "catalog item {itemId} needs an id, a data type and a usage permission"
    ),
    "NotProvider(itemId,callerId)": _not_yours("NotProvider"),
    "AgreementExists(agreementId)": Explanation(
        "a data-sharing agreement {agreementId} already exists"
    ),
    "AgreementUnknown(agreementId)": _unknown("no data-sharing agreement {agreementId} exists"),
    "AgreementIsRevoked(agreementId)": Explanation(
        "data-sharing agreement {agreementId} is revoked"
    ),
    "InvalidConsumer(consumerId)": Explanation(
        "{consumerId} cannot be the consumer: it is no department, or it is the provider"
    ),
    "PermissionExceedsItem(itemId,granted,allowed)": Explanation(
        "catalog item {itemId} allows at most {allowed:permission} use, not {granted:permission}"
    ),
    "InvalidSchedule(firstDueAt,period,periods)": Explanation(
        "a delivery schedule of {periods} periods of {period:duration} from {firstDueAt:time}"
        " is invalid: the first delivery must be due in the future, and the period and"
        " count positive"
    ),
    "PeriodOutOfRange(agreementId,period,periods)": _unknown(
        "data-sharing agreement {agreementId} has {periods} periods; there is no period {period}"
    ),
    "PeriodClosed(agreementId,period,status)": Explanation(
        "period {period} of data-sharing agreement {agreementId} is already {status:period}"
    ),
    "NotYetDue(agreementId,period,dueAt)": Explanation(
        "period {period} of data-sharing agreement {agreementId} is due at {dueAt:time}:"
        " it cannot be marked missed before then"
    ),
    "PeriodAfterRevocation(agreementId,period,dueAt)": Explanation(
        "period {period} of data-sharing agreement {agreementId} (due at {dueAt:time})"
        " falls after the agreement was revoked"
    ),
    # -- work orders (WorkOrders) --
    "CategoryUnknown(category)": _unknown(
        "no request category {category} is set (govledger order category)"
    ),
    "InvalidCategory(category,slaSeconds)": Explanation(
        "request category {category} with an SLA of {slaSeconds:duration} is invalid: it"
        " needs an id and an SLA above zero and within the contract's maximum"
    ),
    "OrderExists(orderId)": Explanation("work order {orderId} already exists"),
    "OrderUnknown(orderId)": _unknown("no work order {orderId} exists"),
    "InvalidOrder(orderId)": Explanation("work order {orderId} needs an id and a case digest"),
    "InvalidHandler(orderId,handlerId)": Explanation(
        "work order {orderId} cannot go to {handlerId}: it is no active department, or"
        " already the order's handler"
    ),
    "WrongHandler(orderId,expected,caller)": _not_yours("WrongHandler"),
    "StageOutOfOrder(orderId,current,attempted)": Explanation(
        "work order {orderId} is at stage {current:stage}: it cannot move to {attempted:stage} now"
    ),
    "InvalidFeedback(orderId)": Explanation("the feedback on work order {orderId} has no digest"),
    "AlreadyCompleted(orderId)": Explanation("work order {orderId} is already completed"),
    "AlreadyEvaluated(orderId)": Explanation("work order {orderId} is already evaluated"),
    "AlreadyOverdue(orderId)": Explanation("work order {orderId} is already marked overdue"),
    "NotYetOverdue(orderId,slaDeadline)": Explanation(
        "work order {orderId} is within its SLA until {slaDeadline:time}"
    ),
    "InvalidScore(orderId,score)": Explanation(
        "a satisfaction score runs from 1 to 5, not {score} (work order {orderId})"
    ),
    # -- drills (Drills) --
    "PlanExists(planId)": Explanation("drill plan {planId} already exists (or has no id)"),
    "PlanUnknown(planId)": _unknown("no drill plan {planId} exists"),
    "NotPlanOwner(planId,callerId)": _not_yours("NotPlanOwner"),
    "InvalidDrillKind(kind)": Explanation("drill kind {kind} is neither full (1) nor half (2)"),
    "InvalidSeats(kind,totalSeats,requiredSeats)": Explanation(
        "a {kind:kind} drill of {totalSeats} seats cannot require {requiredSeats}: a full"
        " drill staffs every seat, a half drill at least half of them"
    ),
    "InvalidPlan(firstDueAt,interval,count)": Explanation(
        "a drill plan of {count} drills every {interval:duration} from {firstDueAt:time} is"
        " invalid: the first drill must be due in the future, and the interval and count"
        " positive"
    ),
    "DrillOutOfRange(planId,index,count)": _unknown(
        "drill plan {planId} has {count} drills; there is no drill {index}"
    ),
    "DrillClosed(planId,index,status)": Explanation(
        "drill {index} of plan {planId} is already {status:drill}"
    ),
    "TooEarly(planId,index,dueAt)": Explanation(
        "drill {index} of plan {planId} is due at {dueAt:time}: too early to hold it now"
    ),
    "DrillNotOverdue(planId,index,dueAt)": Explanation(
        "drill {index} of plan {planId} is due at {dueAt:time}: it cannot be marked missed"
        " before then"
    ),
    "SeatsExceedPlan(planId,seatsPresent,totalSeats)": Explanation(
        "drill plan {planId} has {totalSeats} seats, not {seatsPresent}"
    ),
    "InvalidRecordDigest(planId,index)": Explanation(
        "drill {index} of plan {planId} needs the digest of its record"
    ),
    # -- systems (Systems) --
    "SystemExists(systemId)": Explanation("system {systemId} is already registered"),
    "SystemUnknown(systemId)": _unknown("no system {systemId} is registered"),
    "NotSystemOwner(systemId,callerId)": _not_yours("NotSystemOwner"),
    "InvalidSystem(systemId,kind,heartbeatInterval)": Explanation(
        "system {systemId} of kind {kind} needs an id, a kind and a heartbeat interval"
        " above zero, not {heartbeatInterval:duration}"
    ),
    "SlotReserved(systemId)": Explanation(
        "system {systemId} is a reserved slot: fill it before it connects"
    ),
    "SlotNotReserved(systemId)": Explanation("system {systemId} is not a reserved slot"),
    "SystemAlreadyConnected(systemId)": Explanation("system {systemId} is already connected"),
    "SystemNotConnected(systemId)": Explanation("system {systemId} is not connected"),
    # -- statistics (Attestations) --
    "StatisticUnknown(key)": _unknown("no statistic {key} is attested"),
    "AttestationUnknown(key,version)": _unknown("statistic {key} has no version {version}"),
    "InvalidStatistic(key,period)": Explanation(
        "a statistic needs a key and a period, not {key} and {period}"
    ),
    "ValueOutOfRange(key,valuePpm)": Explanation(
        "statistic {key} is a share between 0 and 1, not {valuePpm:ppm}"
    ),
    "InvalidSourceDigest(key)": Explanation(
        "statistic {key} needs the digest of the source it comes from"
    ),
    # -- effect log (EffectLog) --
    "LogExists(logId)": Explanation("effect log {logId} is already open"),
    "LogUnknown(logId)": _unknown("no effect log {logId} is open"),
    "NotLogOwner(logId,callerId)": _not_yours("NotLogOwner"),
    "InvalidCheckpoint(logId)": Explanation(
        "a checkpoint of effect log {logId} needs a root, and the first one entries and no"
        " consistency proof"
    ),
    "TreeNotGrowing(logId,previousSize,newSize)": Explanation(
        "a new checkpoint of effect log {logId} must cover more than {previousSize} entries,"
        " not {newSize}"
    ),
    "InconsistentCheckpoint(logId,previousSize,newSize)": Explanation(
        "the checkpoint of effect log {logId} over {newSize} entries is not consistent with"
        " the one over {previousSize}: the log was rewritten"
    ),
    "CheckpointOutOfRange(logId,index,checkpoints)": _unknown(
        "effect log {logId} has {checkpoints} checkpoints; there is no checkpoint {index}"
    ),
    # -- findings (Findings) --
    "FindingExists(findingId)": Explanation("finding {findingId} already exists"),
    "FindingUnknown(findingId)": _unknown("no finding {findingId} exists"),
    "InvalidFinding(findingId,metric,deadline)": Explanation(
        "finding {findingId} on {metric} needs an id, a metric, a detail digest and a"
        " deadline in the future, not {deadline:time}"
    ),
    "NotResponsible(findingId,departmentId,account)": _not_yours("NotResponsible"),
    "WrongStatus(findingId,status)": Explanation(
        "finding {findingId} is {status:finding}: this step does not apply to it now"
    ),
    "InvalidResponse(findingId)": Explanation(
        "a response to finding {findingId} needs the digests of its plan and evidence"
    ),
    "NotOverdue(findingId,deadline,now_)": Explanation(
        "finding {findingId} is due at {deadline:time}; it is {now_:time} on chain, so it is"
        " not overdue yet"
    ),
    # -- scores (ScoreBoard) --
    "ScoreUnknown(scoreId)": _unknown("no score {scoreId} is published"),
    "InvalidScore(scope,specHash,evidenceRoot,resultHash)": Explanation(
        "a score of {scope} needs a scope, a spec hash, an evidence root and a result hash,"
        " not {specHash}, {evidenceRoot} and {resultHash}"
    ),
    "InvalidWindow(windowStart,windowEnd)": Explanation(
        "a score's window ends at {windowEnd:time}, before it starts at {windowStart:time}"
    ),
    "AsOfNotMined(asOfBlock,publishingBlock)": Explanation(
        "a score as of block {asOfBlock} cannot be published in block {publishingBlock}:"
        " that block is not mined yet"
    ),
    # -- Solidity's own (a require with a message, an assertion or overflow) --
    "Error(message)": Explanation("the contract refused the call: {message}"),
    "Panic(code)": Explanation("the contract stopped on an internal check (panic code {code})"),
}


def signature(name: str, arg_names: Any) -> str:
    """``Name(a,b)``: the key of :data:`EXPLANATIONS`."""
    return f"{name}({','.join(arg_names)})"


def _enum(kind: type[IntEnum]) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        try:
            return kind(int(value)).name.lower().replace("_", " ")
        except ValueError:
            return f"{value} (no {kind.__name__})"

    return show


def _duration(seconds: Any) -> str:
    n = int(seconds)
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if n and n % size == 0:
            count = n // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{n} second{'' if n == 1 else 's'}"


def _role(value: Any) -> str:
    text = str(value)
    try:
        return role_name(bytes.fromhex(text.removeprefix("0x")))
    except ValueError:
        return text


_SPECS: dict[str, Callable[[Any], str]] = {
    "time": lambda v: format_timestamp(int(v)),
    "duration": _duration,
    "ppm": lambda v: f"{int(v) / 1_000_000:g} ({v} ppm)",
    "role": _role,
    "stage": _enum(Stage),
    "drill": _enum(DrillStatus),
    "kind": _enum(DrillKind),
    "period": _enum(PeriodStatus),
    "finding": _enum(FindingStatus),
    "permission": _enum(Permission),
}


def show_value(value: Any) -> str:
    """An argument as the sentences show it: text quoted, 0x-values and numbers as is."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, str) and not value.startswith("0x"):
        return repr(value)
    return str(value)


class _Words(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if not format_spec:
            return show_value(value)
        try:
            return _SPECS[format_spec](value)
        except (TypeError, ValueError, OverflowError):  # a value the spec cannot read
            return show_value(value)


_WORDS = _Words()


def explanation_of(name: str, args: Mapping[str, Any]) -> Explanation | None:
    return EXPLANATIONS.get(signature(name, args))


def explain(err: ContractRevert) -> str:
    """The revert in words, ending with the error's name: ``... (AgreementUnknown)``.

    An error that says another department owns the object uses the sentence of
    :data:`ledger.errors.NOT_YOURS`; an error this table does not know (or whose data
    did not decode) is shown as ``Name(arg=value, ...)``.
    """
    if err.not_yours is not None:
        return f"{err.not_yours} ({err.name})"
    entry = explanation_of(err.name, err.arguments)
    if entry is None:
        if err.name == "Reverted":
            return "the contract refused the call without saying why"
        shown = ", ".join(f"{k}={show_value(v)}" for k, v in err.arguments.items())
        return f"the contract refused the call: {err.name}({shown})"
    return f"{_WORDS.format(entry.words, **err.arguments)} ({err.name})"


def is_unknown_id(err: ContractRevert) -> bool:
    """Whether the revert says an id does not exist (a 404, not a 409)."""
    entry = explanation_of(err.name, err.arguments)
    return entry is not None and entry.unknown_id
