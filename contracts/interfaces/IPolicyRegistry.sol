// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Anchors of versioned policy records.
/// @notice A knowledge record (policy, law, institution) is canonicalised off chain
/// (RFC 8785) and its keccak256 digest anchored here with the digest of each clause.
/// A new version supersedes the previous one; nothing is ever edited.
interface IPolicyRegistry {
    /// @notice A version of a policy to anchor or propose: its canonical digest, kind,
    /// element and effective time, and the id and digest of each clause it holds.
    struct PolicyVersionRequest {
        bytes32 policyId;
        uint32 version;
        bytes32 digest;
        bytes32 kind;
        bytes32 element;
        uint64 effectiveAt;
        bytes32[] clauseIds;
        bytes32[] clauseDigests;
    }

    /// @notice A version of a policy was anchored. Version 1 creates the policy; later
    /// versions supersede the one before.
    event PolicyAnchored(
        bytes32 indexed policyId,
        uint32 indexed version,
        bytes32 digest,
        bytes32 kind,
        bytes32 element,
        uint64 effectiveAt,
        bytes32[] clauseIds,
        bytes32[] clauseDigests
    );
    /// @notice A city-level version was proposed; it is anchored once two distinct leaders
    /// approve it (D city: the party secretary and the mayor co-chair the leading group).
    event PolicyProposed(bytes32 indexed policyId, uint32 indexed version, bytes32 digest, address proposer);
    /// @notice A leader approved a proposed city-level version; `approvals` counts them so far.
    event PolicyApproved(bytes32 indexed policyId, uint32 indexed version, address indexed leader, uint8 approvals);
    /// @notice A policy was revoked; none of its clauses is in force any more.
    event PolicyRevoked(bytes32 indexed policyId, uint32 version, uint64 revokedAt);

    /// @notice Versions must be anchored in order: 1, 2, 3, ...
    error VersionOutOfOrder(bytes32 policyId, uint32 expected, uint32 given);
    /// @notice The policy was revoked and takes no new version.
    error PolicyIsRevoked(bytes32 policyId);
    /// @notice No policy has this id.
    error PolicyUnknown(bytes32 policyId);
    /// @notice Clause ids and digests differ in length, or there are none.
    error ClausesMismatch(uint256 ids, uint256 digests);
    /// @notice A clause id appears twice in one version, or is zero.
    error InvalidClause(bytes32 policyId, bytes32 clauseId);
    /// @notice A zero digest or id was given.
    error InvalidDigest(bytes32 policyId);
    /// @notice The policy is city-level: its versions are proposed and approved by two leaders.
    error ApprovalRequired(bytes32 policyId);
    /// @notice No pending proposal for this version.
    error NoSuchProposal(bytes32 policyId, uint32 version);
    /// @notice The approval names another digest than the one proposed.
    error DigestMismatch(bytes32 policyId, uint32 version, bytes32 proposedDigest, bytes32 givenDigest);
    /// @notice This leader already approved this version.
    error AlreadyApproved(bytes32 policyId, uint32 version, address leader);
    /// @notice A version of this policy is already waiting for approval.
    error ProposalPending(bytes32 policyId, uint32 version);

    /// @notice Anchor version `r.version` of `r.policyId`. Only ISSUER.
    function anchorPolicy(PolicyVersionRequest calldata r) external;

    /// @notice Propose version `r.version` of a city-level policy. Only ISSUER. It is anchored
    /// when two distinct LEADER accounts approve it.
    function proposeCityPolicy(PolicyVersionRequest calldata r) external;

    /// @notice Approve a proposed city-level version, naming its digest. Only LEADER.
    function approvePolicy(bytes32 policyId, uint32 version, bytes32 digest) external;

    /// @notice Whether the policy's versions need two leaders' approval.
    function isCityLevel(bytes32 policyId) external view returns (bool);

    /// @notice Revoke a policy. Only ISSUER.
    function revokePolicy(bytes32 policyId) external;

    /// @notice The latest anchored version (0 if none) and whether the policy is revoked.
    function policyState(bytes32 policyId) external view returns (uint32 latestVersion, bool revoked);

    /// @notice The anchored digest and effective time of one version.
    function versionOf(bytes32 policyId, uint32 version)
        external
        view
        returns (bytes32 digest, uint64 effectiveAt);

    /// @notice Whether the clause belongs to the latest version of a live policy already
    /// effective. The mechanisms revert with ClauseNotInForce (IDirectoryManaged) when not.
    function isClauseInForce(bytes32 policyId, bytes32 clauseId) external view returns (bool);
}
