// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {DirectoryManaged} from "./access/DirectoryManaged.sol";
import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IDrills} from "./interfaces/IDrills.sol";

/// @title Drill plans and the drills held under them.
/// @notice Only a department plans, and only the owning department records its drills.
/// Every plan cites a policy clause in force, and every drill event names that clause.
contract Drills is DirectoryManaged, IDrills {
    uint8 public constant FULL = 1;
    uint8 public constant HALF = 2;
    /// @notice How far from its due time a drill still counts as held on time.
    uint64 public constant WINDOW = 7 days;

    uint8 internal constant OPEN = 0;
    uint8 internal constant HELD = 1;
    uint8 internal constant MISSED = 2;

    mapping(bytes32 planId => DrillPlan) private _plans;
    mapping(bytes32 planId => mapping(uint32 index => uint8 status)) private _status;

    constructor(IDirectory directory_, IPolicyRegistry registry_) DirectoryManaged(directory_, registry_) {}

    /// @inheritdoc IDrills
    function planDrills(DrillPlanRequest calldata r) external {
        bytes32 ownerId = _callerDepartment();
        if (r.planId == bytes32(0) || _plans[r.planId].ownerId != bytes32(0)) revert PlanExists(r.planId);
        uint8 kind = r.kind;
        if (kind != FULL && kind != HALF) revert InvalidDrillKind(kind);
        uint16 totalSeats = r.totalSeats;
        uint16 requiredSeats = r.requiredSeats;
        if (
            totalSeats == 0 || requiredSeats > totalSeats
                || (kind == FULL && requiredSeats != totalSeats)
                || (kind == HALF && uint32(requiredSeats) * 2 < totalSeats)
        ) {
            revert InvalidSeats(kind, totalSeats, requiredSeats);
        }
        if (
            r.interval == 0 || r.count == 0 || r.firstDueAt <= block.timestamp
                || uint256(r.firstDueAt) + uint256(r.count - 1) * r.interval > type(uint64).max
        ) {
            revert InvalidPlan(r.firstDueAt, r.interval, r.count);
        }
        _requireInForce(r.policyId, r.clauseId);

        _plans[r.planId] = DrillPlan({
            ownerId: ownerId,
            policyId: r.policyId,
            clauseId: r.clauseId,
            firstDueAt: r.firstDueAt,
            interval: r.interval,
            count: r.count,
            kind: kind,
            totalSeats: totalSeats,
            requiredSeats: requiredSeats
        });
        emit DrillsPlanned(
            r.planId,
            r.policyId,
            ownerId,
            r.clauseId,
            kind,
            r.firstDueAt,
            r.interval,
            r.count,
            totalSeats,
            requiredSeats
        );
    }

    /// @inheritdoc IDrills
    function recordDrill(DrillRecordRequest calldata r) external {
        bytes32 planId = r.planId;
        uint32 index = r.index;
        DrillPlan storage plan = _plan(planId);
        bytes32 callerId = _callerDepartment();
        if (callerId != plan.ownerId) revert NotPlanOwner(planId, callerId);
        _openDrill(planId, plan, index);
        uint64 due = _dueAt(plan, index);
        if (block.timestamp + WINDOW < due) revert TooEarly(planId, index, due);
        if (r.seatsPresent > plan.totalSeats) revert SeatsExceedPlan(planId, r.seatsPresent, plan.totalSeats);
        if (r.recordDigest == bytes32(0)) revert InvalidRecordDigest(planId, index);
        _requireInForce(plan.policyId, plan.clauseId);

        _status[planId][index] = HELD;
        emit DrillHeld(
            planId,
            plan.policyId,
            plan.ownerId,
            plan.clauseId,
            index,
            due,
            r.seatsPresent,
            r.systemsOnline,
            r.recordDigest,
            block.timestamp <= uint256(due) + WINDOW,
            r.seatsPresent >= plan.requiredSeats
        );
    }

    /// @inheritdoc IDrills
    function markDrillMissed(bytes32 planId, uint32 index) external {
        DrillPlan storage plan = _plan(planId);
        _openDrill(planId, plan, index);
        uint64 due = _dueAt(plan, index);
        if (block.timestamp <= uint256(due) + WINDOW) revert DrillNotOverdue(planId, index, due);
        _requireInForce(plan.policyId, plan.clauseId);

        _status[planId][index] = MISSED;
        emit DrillMissed(planId, plan.policyId, plan.ownerId, plan.clauseId, index, due, msg.sender);
    }

    /// @inheritdoc IDrills
    function dueAt(bytes32 planId, uint32 index) external view returns (uint64) {
        DrillPlan storage plan = _plan(planId);
        if (index >= plan.count) revert DrillOutOfRange(planId, index, plan.count);
        return _dueAt(plan, index);
    }

    /// @inheritdoc IDrills
    function drillStatus(bytes32 planId, uint32 index) external view returns (uint8) {
        DrillPlan storage plan = _plan(planId);
        if (index >= plan.count) revert DrillOutOfRange(planId, index, plan.count);
        return _status[planId][index];
    }

    /// @inheritdoc IDrills
    function planOf(bytes32 planId) external view returns (DrillPlan memory) {
        return _plan(planId);
    }

    function _plan(bytes32 planId) private view returns (DrillPlan storage plan) {
        plan = _plans[planId];
        if (plan.ownerId == bytes32(0)) revert PlanUnknown(planId);
    }

    function _openDrill(bytes32 planId, DrillPlan storage plan, uint32 index) private view {
        if (index >= plan.count) revert DrillOutOfRange(planId, index, plan.count);
        uint8 status = _status[planId][index];
        if (status != OPEN) revert DrillClosed(planId, index, status);
    }

    function _dueAt(DrillPlan storage plan, uint32 index) private view returns (uint64) {
        return plan.firstDueAt + uint64(index) * plan.interval;
    }
}
