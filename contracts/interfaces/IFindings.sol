// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Audit findings and their rectification.
/// @notice When a published score shows an obligation clause missing its target, an
/// AUDITOR raises a finding addressed to the responsible department, with a deadline for
/// rectification. The department responds with the digests of its rectification plan and
/// of its evidence; an AUDITOR accepts the response (the finding is closed) or rejects it
/// (the finding is open again). Anyone may mark an open finding overdue once its deadline
/// has passed; an overdue finding can still be answered, and the response is marked late.
interface IFindings {
    /// @notice A finding's state: Open after raising or a rejected response, Responded
    /// while a response awaits review, Accepted once closed, Overdue when marked so.
    enum Status {
        None,
        Open,
        Responded,
        Accepted,
        Overdue
    }

    /// @notice A finding to raise against `departmentId` for clause `policyId#clauseId`, whose
    /// obligation on `metric` missed its target in published score `scoreId`, to be rectified
    /// by `deadline`; `detailDigest` is the digest of the finding's off-chain detail.
    struct FindingRequest {
        bytes32 findingId;
        uint256 scoreId;
        bytes32 policyId;
        bytes32 clauseId;
        bytes32 metric;
        bytes32 departmentId;
        uint64 deadline;
        bytes32 detailDigest;
    }

    /// @notice A finding as stored: its state, whether it was ever marked overdue, and its terms.
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

    /// @notice Finding `findingId` was raised against `departmentId` for clause
    /// `policyId#clauseId`, whose obligation on `metric` missed its target in score `scoreId`.
    event FindingRaised(
        bytes32 indexed findingId,
        bytes32 indexed policyId,
        bytes32 indexed departmentId,
        bytes32 clauseId,
        bytes32 metric,
        uint256 scoreId,
        uint64 deadline,
        bytes32 detailDigest,
        address auditor
    );
    /// @notice The department answered with a rectification plan and its evidence.
    event FindingResponded(
        bytes32 indexed findingId,
        bytes32 indexed policyId,
        bytes32 indexed departmentId,
        bytes32 planDigest,
        bytes32 evidenceDigest,
        bool late
    );
    /// @notice An auditor accepted (closing the finding) or rejected the response.
    event FindingReviewed(
        bytes32 indexed findingId,
        bytes32 indexed policyId,
        bytes32 indexed departmentId,
        bool accepted,
        bytes32 noteDigest,
        address auditor
    );
    /// @notice The finding's deadline passed with no accepted or pending response.
    event FindingOverdue(
        bytes32 indexed findingId,
        bytes32 indexed policyId,
        bytes32 indexed departmentId,
        uint64 deadline,
        address markedBy
    );

    /// @notice A finding with this id exists already.
    error FindingExists(bytes32 findingId);
    /// @notice No finding has this id.
    error FindingUnknown(bytes32 findingId);
    /// @notice A finding needs an id, a metric, a detail digest and a deadline in the future.
    error InvalidFinding(bytes32 findingId, bytes32 metric, uint64 deadline);
    /// @notice Only the department the finding is addressed to may respond.
    error NotResponsible(bytes32 findingId, bytes32 departmentId, address account);
    /// @notice The finding is not in a state that allows this step.
    error WrongStatus(bytes32 findingId, Status status);
    /// @notice A response needs a plan digest and an evidence digest.
    error InvalidResponse(bytes32 findingId);
    /// @notice The deadline has not passed yet.
    error NotOverdue(bytes32 findingId, uint64 deadline, uint64 now_);

    /// @notice Raise a finding from published score `r.scoreId`, under a policy clause in force,
    /// addressed to a registered department. Only AUDITOR.
    function raiseFinding(FindingRequest calldata r) external;

    /// @notice Answer an open or overdue finding. Only the department it is addressed to.
    function respond(bytes32 findingId, bytes32 planDigest, bytes32 evidenceDigest) external;

    /// @notice Accept or reject the pending response. Only AUDITOR.
    function review(bytes32 findingId, bool accept, bytes32 noteDigest) external;

    /// @notice Mark an open finding past its deadline overdue. Anyone.
    function markOverdue(bytes32 findingId) external;

    /// @notice A finding's state and terms; reverts FindingUnknown if there is none.
    function findingOf(bytes32 findingId) external view returns (Finding memory);
}
