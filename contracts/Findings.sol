// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {DirectoryManaged} from "./access/DirectoryManaged.sol";
import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IScoreBoard} from "./interfaces/IScoreBoard.sol";
import {IFindings} from "./interfaces/IFindings.sol";
import {AUDITOR_ROLE, DepartmentUnknown} from "./interfaces/Common.sol";

/// @title Findings: the loop from a missed target back to the responsible department.
contract Findings is DirectoryManaged, IFindings {
    IScoreBoard public immutable scoreBoard;

    mapping(bytes32 findingId => Finding) private _findings;

    constructor(IDirectory directory_, IPolicyRegistry registry_, IScoreBoard scoreBoard_)
        DirectoryManaged(directory_, registry_)
    {
        scoreBoard = scoreBoard_;
    }

    /// @inheritdoc IFindings
    function raiseFinding(FindingRequest calldata r) external onlyRole(AUDITOR_ROLE) {
        bytes32 findingId = r.findingId;
        if (_findings[findingId].status != Status.None) revert FindingExists(findingId);
        if (
            findingId == bytes32(0) || r.metric == bytes32(0) || r.detailDigest == bytes32(0)
                || r.deadline <= block.timestamp
        ) {
            revert InvalidFinding(findingId, r.metric, r.deadline);
        }
        // The call is an existence check: scoreOf reverts ScoreUnknown for an unknown id,
        // and the score itself is not needed here.
        // slither-disable-next-line unused-return
        scoreBoard.scoreOf(r.scoreId);
        _requireInForce(r.policyId, r.clauseId);
        if (!directory.isDepartment(r.departmentId)) revert DepartmentUnknown(r.departmentId);

        _findings[findingId] = Finding({
            status: Status.Open,
            wasOverdue: false,
            deadline: r.deadline,
            scoreId: r.scoreId,
            policyId: r.policyId,
            clauseId: r.clauseId,
            metric: r.metric,
            departmentId: r.departmentId,
            detailDigest: r.detailDigest
        });
        emit FindingRaised(
            findingId,
            r.policyId,
            r.departmentId,
            r.clauseId,
            r.metric,
            r.scoreId,
            r.deadline,
            r.detailDigest,
            msg.sender
        );
    }

    /// @inheritdoc IFindings
    function respond(bytes32 findingId, bytes32 planDigest, bytes32 evidenceDigest) external {
        Finding storage f = _existing(findingId);
        if (_callerDepartment() != f.departmentId) {
            revert NotResponsible(findingId, f.departmentId, msg.sender);
        }
        if (f.status != Status.Open && f.status != Status.Overdue) revert WrongStatus(findingId, f.status);
        if (planDigest == bytes32(0) || evidenceDigest == bytes32(0)) revert InvalidResponse(findingId);

        f.status = Status.Responded;
        emit FindingResponded(
            findingId, f.policyId, f.departmentId, planDigest, evidenceDigest, block.timestamp > f.deadline
        );
    }

    /// @inheritdoc IFindings
    function review(bytes32 findingId, bool accept, bytes32 noteDigest) external onlyRole(AUDITOR_ROLE) {
        Finding storage f = _existing(findingId);
        if (f.status != Status.Responded) revert WrongStatus(findingId, f.status);

        f.status = accept ? Status.Accepted : Status.Open;
        emit FindingReviewed(findingId, f.policyId, f.departmentId, accept, noteDigest, msg.sender);
    }

    /// @inheritdoc IFindings
    function markOverdue(bytes32 findingId) external {
        Finding storage f = _existing(findingId);
        if (f.status != Status.Open) revert WrongStatus(findingId, f.status);
        if (block.timestamp <= f.deadline) revert NotOverdue(findingId, f.deadline, uint64(block.timestamp));

        f.status = Status.Overdue;
        f.wasOverdue = true;
        emit FindingOverdue(findingId, f.policyId, f.departmentId, f.deadline, msg.sender);
    }

    /// @inheritdoc IFindings
    function findingOf(bytes32 findingId) external view returns (Finding memory) {
        return _existing(findingId);
    }

    function _existing(bytes32 findingId) private view returns (Finding storage f) {
        f = _findings[findingId];
        if (f.status == Status.None) revert FindingUnknown(findingId);
    }
}
