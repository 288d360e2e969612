// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IDrills} from "./interfaces/IDrills.sol";

/// @title Drill plans and the drills held under them.
/// @notice Only a department plans, and only the owning department records its drills.
/// Every plan cites a policy clause in force, and every drill event names that clause.
contract Drills is IDrills {
    uint8 public constant FULL = 1;
    uint8 public constant HALF = 2;
    /// @notice How far from its due time a drill still counts as held on time.
    uint64 public constant WINDOW = 7 days;

    uint8 internal constant OPEN = 0;
    uint8 internal constant HELD = 1;
    uint8 internal constant MISSED = 2;

    struct Plan {
        bytes32 ownerId;
        bytes32 policyId;
        bytes32 clauseId;
        uint64 firstDueAt;
        uint64 interval;
        uint32 count;
        uint8 kind;
        uint16 totalSeats;
        uint16 requiredSeats;
    }

    IDirectory public immutable directory;
    IPolicyRegistry public immutable registry;

    mapping(bytes32 planId => Plan) private _plans;
    mapping(bytes32 planId => mapping(uint32 index => uint8 status)) private _status;

    constructor(IDirectory directory_, IPolicyRegistry registry_) {
        directory = directory_;
        registry = registry_;
    }

    /// @inheritdoc IDrills
    function planDrills(
        bytes32 planId,
        bytes32 policyId,
        bytes32 clauseId,
        uint8 kind,
        uint64 firstDueAt,
        uint64 interval,
        uint32 count,
        uint16 totalSeats,
        uint16 requiredSeats
    ) external {
        bytes32 ownerId = directory.departmentOf(msg.sender);
        if (planId == bytes32(0) || _plans[planId].ownerId != bytes32(0)) revert PlanExists(planId);
        if (kind != FULL && kind != HALF) revert InvalidDrillKind(kind);
        if (
            totalSeats == 0 || requiredSeats > totalSeats
                || (kind == FULL && requiredSeats != totalSeats)
                || (kind == HALF && uint32(requiredSeats) * 2 < totalSeats)
        ) {
            revert InvalidSeats(kind, totalSeats, requiredSeats);
        }
        if (
            interval == 0 || count == 0 || firstDueAt <= block.timestamp
                || uint256(firstDueAt) + uint256(count - 1) * interval > type(uint64).max
        ) {
            revert InvalidPlan(firstDueAt, interval, count);
        }
        _requireInForce(policyId, clauseId);

        _plans[planId] = Plan({
            ownerId: ownerId,
            policyId: policyId,
            clauseId: clauseId,
            firstDueAt: firstDueAt,
            interval: interval,
            count: count,
            kind: kind,
            totalSeats: totalSeats,
            requiredSeats: requiredSeats
        });
        emit DrillsPlanned(
            planId,
            policyId,
            ownerId,
            clauseId,
            kind,
            firstDueAt,
            interval,
            count,
            totalSeats,
            requiredSeats
        );
    }

    /// @inheritdoc IDrills
    function recordDrill(
        bytes32 planId,
        uint32 index,
        uint16 seatsPresent,
        uint16 systemsOnline,
        bytes32 recordDigest
    ) external {
        Plan storage plan = _plan(planId);
        bytes32 callerId = directory.departmentOf(msg.sender);
        if (callerId != plan.ownerId) revert NotPlanOwner(planId, callerId);
        _openDrill(planId, plan, index);
        uint64 due = _dueAt(plan, index);
        if (block.timestamp + WINDOW < due) revert TooEarly(planId, index, due);
        if (seatsPresent > plan.totalSeats) revert SeatsExceedPlan(planId, seatsPresent, plan.totalSeats);
        if (recordDigest == bytes32(0)) revert InvalidRecordDigest(planId, index);
        _requireInForce(plan.policyId, plan.clauseId);

        _status[planId][index] = HELD;
        emit DrillHeld(
            planId,
            plan.policyId,
            plan.ownerId,
            plan.clauseId,
            index,
            due,
            seatsPresent,
            systemsOnline,
            recordDigest,
            block.timestamp <= uint256(due) + WINDOW,
            seatsPresent >= plan.requiredSeats
        );
    }

    /// @inheritdoc IDrills
    function markDrillMissed(bytes32 planId, uint32 index) external {
        Plan storage plan = _plan(planId);
        _openDrill(planId, plan, index);
        uint64 due = _dueAt(plan, index);
        if (block.timestamp <= uint256(due) + WINDOW) revert DrillNotOverdue(planId, index, due);
        _requireInForce(plan.policyId, plan.clauseId);

        _status[planId][index] = MISSED;
        emit DrillMissed(planId, plan.policyId, plan.ownerId, plan.clauseId, index, due, msg.sender);
    }

    /// @inheritdoc IDrills
    function dueAt(bytes32 planId, uint32 index) external view returns (uint64) {
        Plan storage plan = _plan(planId);
        if (index >= plan.count) revert DrillOutOfRange(planId, index, plan.count);
        return _dueAt(plan, index);
    }

    /// @inheritdoc IDrills
    function drillStatus(bytes32 planId, uint32 index) external view returns (uint8) {
        Plan storage plan = _plan(planId);
        if (index >= plan.count) revert DrillOutOfRange(planId, index, plan.count);
        return _status[planId][index];
    }

    /// @inheritdoc IDrills
    function planOf(bytes32 planId)
        external
        view
        returns (
            bytes32 ownerId,
            bytes32 policyId,
            bytes32 clauseId,
            uint8 kind,
            uint64 firstDueAt,
            uint64 interval,
            uint32 count,
            uint16 totalSeats,
            uint16 requiredSeats
        )
    {
        Plan storage plan = _plan(planId);
        return (
            plan.ownerId,
            plan.policyId,
            plan.clauseId,
            plan.kind,
            plan.firstDueAt,
            plan.interval,
            plan.count,
            plan.totalSeats,
            plan.requiredSeats
        );
    }

    function _plan(bytes32 planId) private view returns (Plan storage plan) {
        plan = _plans[planId];
        if (plan.ownerId == bytes32(0)) revert PlanUnknown(planId);
    }

    function _openDrill(bytes32 planId, Plan storage plan, uint32 index) private view {
        if (index >= plan.count) revert DrillOutOfRange(planId, index, plan.count);
        uint8 status = _status[planId][index];
        if (status != OPEN) revert DrillClosed(planId, index, status);
    }

    function _requireInForce(bytes32 policyId, bytes32 clauseId) private view {
        if (!registry.isClauseInForce(policyId, clauseId)) {
            revert IPolicyRegistry.ClauseNotInForce(policyId, clauseId);
        }
    }

    function _dueAt(Plan storage plan, uint32 index) private view returns (uint64) {
        return plan.firstDueAt + uint64(index) * plan.interval;
    }
}
