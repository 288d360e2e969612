// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IScoreBoard} from "./interfaces/IScoreBoard.sol";
import {IFindings} from "./interfaces/IFindings.sol";

/// @title Findings: the loop from a missed target back to the responsible department.
contract Findings is IFindings {
    bytes32 public constant AUDITOR_ROLE = keccak256("AUDITOR_ROLE");

    struct Finding {
        Status status;
        bool wasOverdue;
        uint64 deadline;
        uint256 scoreId;
        bytes32 policyId;
        bytes32 clauseId;
        bytes32 metric;
        bytes32 departmentId;
        bytes32 detailDigest;
    }

    IDirectory public immutable directory;
    IPolicyRegistry public immutable registry;
    IScoreBoard public immutable scoreBoard;

    mapping(bytes32 findingId => Finding) private _findings;

    constructor(IDirectory directory_, IPolicyRegistry registry_, IScoreBoard scoreBoard_) {
        directory = directory_;
        registry = registry_;
        scoreBoard = scoreBoard_;
    }

    modifier onlyAuditor() {
        if (!directory.hasRole(AUDITOR_ROLE, msg.sender)) revert Unauthorized(msg.sender, AUDITOR_ROLE);
        _;
    }

    /// @inheritdoc IFindings
    function raiseFinding(
        bytes32 findingId,
        uint256 scoreId,
        bytes32 policyId,
        bytes32 clauseId,
        bytes32 metric,
        bytes32 departmentId,
        uint64 deadline,
        bytes32 detailDigest
    ) external onlyAuditor {
        if (_findings[findingId].status != Status.None) revert FindingExists(findingId);
        if (
            findingId == bytes32(0) || metric == bytes32(0) || detailDigest == bytes32(0)
                || deadline <= block.timestamp
        ) {
            revert InvalidFinding(findingId, metric, deadline);
        }
        scoreBoard.scoreOf(scoreId); // reverts ScoreUnknown
        if (!registry.isClauseInForce(policyId, clauseId)) {
            revert IPolicyRegistry.ClauseNotInForce(policyId, clauseId);
        }
        if (!directory.isDepartment(departmentId)) revert IDirectory.DepartmentUnknown(departmentId);

        _findings[findingId] = Finding({
            status: Status.Open,
            wasOverdue: false,
            deadline: deadline,
            scoreId: scoreId,
            policyId: policyId,
            clauseId: clauseId,
            metric: metric,
            departmentId: departmentId,
            detailDigest: detailDigest
        });
        emit FindingRaised(
            findingId, policyId, departmentId, clauseId, metric, scoreId, deadline, detailDigest, msg.sender
        );
    }

    /// @inheritdoc IFindings
    function respond(bytes32 findingId, bytes32 planDigest, bytes32 evidenceDigest) external {
        Finding storage f = _existing(findingId);
        if (directory.departmentOf(msg.sender) != f.departmentId) {
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
    function review(bytes32 findingId, bool accept, bytes32 noteDigest) external onlyAuditor {
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
    function findingOf(bytes32 findingId)
        external
        view
        returns (
            Status status,
            uint256 scoreId,
            bytes32 policyId,
            bytes32 clauseId,
            bytes32 metric,
            bytes32 departmentId,
            uint64 deadline,
            bytes32 detailDigest,
            bool wasOverdue
        )
    {
        Finding storage f = _existing(findingId);
        return (
            f.status, f.scoreId, f.policyId, f.clauseId, f.metric, f.departmentId, f.deadline, f.detailDigest, f.wasOverdue
        );
    }

    function _existing(bytes32 findingId) private view returns (Finding storage f) {
        f = _findings[findingId];
        if (f.status == Status.None) revert FindingUnknown(findingId);
    }
}
