// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";

/// @title Registry of anchored policy records.
/// @notice Stores each version's digest and effective time, and which clauses the
/// latest version holds, so that mechanisms can ask whether a clause is in force.
/// Department-level policies are anchored by an ISSUER; city-level ones are proposed
/// by an ISSUER and anchored when two distinct LEADER accounts approve them.
contract PolicyRegistry is IPolicyRegistry {
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    bytes32 public constant LEADER_ROLE = keccak256("LEADER_ROLE");
    uint8 public constant APPROVALS_NEEDED = 2;

    struct Version {
        bytes32 digest;
        uint64 effectiveAt;
    }

    struct Policy {
        uint32 latestVersion;
        bool revoked;
        bool cityLevel;
    }

    struct Proposal {
        uint32 version;
        bytes32 digest;
        bytes32 kind;
        bytes32 element;
        uint64 effectiveAt;
        address firstLeader;
        bytes32[] clauseIds;
        bytes32[] clauseDigests;
    }

    IDirectory public immutable directory;

    mapping(bytes32 policyId => Policy) private _policies;
    mapping(bytes32 policyId => mapping(uint32 version => Version)) private _versions;
    /// @dev The latest version a clause appeared in; in force when equal to the policy's latest.
    mapping(bytes32 policyId => mapping(bytes32 clauseId => uint32 version)) private _clauseVersion;
    mapping(bytes32 policyId => Proposal) private _proposals;

    constructor(IDirectory directory_) {
        directory = directory_;
    }

    modifier onlyRole(bytes32 role) {
        if (!directory.hasRole(role, msg.sender)) revert Unauthorized(msg.sender, role);
        _;
    }

    /// @inheritdoc IPolicyRegistry
    function anchorPolicy(
        bytes32 policyId,
        uint32 version,
        bytes32 digest,
        bytes32 kind,
        bytes32 element,
        uint64 effectiveAt,
        bytes32[] calldata clauseIds,
        bytes32[] calldata clauseDigests
    ) external onlyRole(ISSUER_ROLE) {
        _check(policyId, version, digest, clauseIds, clauseDigests);
        if (_policies[policyId].cityLevel) revert ApprovalRequired(policyId);
        _anchor(policyId, version, digest, kind, element, effectiveAt, clauseIds, clauseDigests);
    }

    /// @inheritdoc IPolicyRegistry
    function proposeCityPolicy(
        bytes32 policyId,
        uint32 version,
        bytes32 digest,
        bytes32 kind,
        bytes32 element,
        uint64 effectiveAt,
        bytes32[] calldata clauseIds,
        bytes32[] calldata clauseDigests
    ) external onlyRole(ISSUER_ROLE) {
        _check(policyId, version, digest, clauseIds, clauseDigests);
        Proposal storage pending = _proposals[policyId];
        if (pending.version != 0) revert ProposalPending(policyId, pending.version);

        _policies[policyId].cityLevel = true;
        pending.version = version;
        pending.digest = digest;
        pending.kind = kind;
        pending.element = element;
        pending.effectiveAt = effectiveAt;
        pending.clauseIds = clauseIds;
        pending.clauseDigests = clauseDigests;
        emit PolicyProposed(policyId, version, digest, msg.sender);
    }

    /// @inheritdoc IPolicyRegistry
    function approvePolicy(bytes32 policyId, uint32 version, bytes32 digest) external onlyRole(LEADER_ROLE) {
        Proposal storage pending = _proposals[policyId];
        if (pending.version == 0 || pending.version != version) revert NoSuchProposal(policyId, version);
        if (pending.digest != digest) revert DigestMismatch(policyId, version, pending.digest, digest);
        if (pending.firstLeader == msg.sender) revert AlreadyApproved(policyId, version, msg.sender);

        if (pending.firstLeader == address(0)) {
            pending.firstLeader = msg.sender;
            emit PolicyApproved(policyId, version, msg.sender, 1);
            return;
        }
        emit PolicyApproved(policyId, version, msg.sender, APPROVALS_NEEDED);
        Proposal memory approved = pending;
        delete _proposals[policyId];
        _anchor(
            policyId,
            approved.version,
            approved.digest,
            approved.kind,
            approved.element,
            approved.effectiveAt,
            approved.clauseIds,
            approved.clauseDigests
        );
    }

    /// @inheritdoc IPolicyRegistry
    function revokePolicy(bytes32 policyId) external onlyRole(ISSUER_ROLE) {
        Policy storage policy = _policies[policyId];
        if (policy.latestVersion == 0) revert PolicyUnknown(policyId);
        if (policy.revoked) revert PolicyIsRevoked(policyId);
        policy.revoked = true;
        emit PolicyRevoked(policyId, policy.latestVersion, uint64(block.timestamp));
    }

    /// @inheritdoc IPolicyRegistry
    function policyState(bytes32 policyId) external view returns (uint32 latestVersion, bool revoked) {
        Policy storage policy = _policies[policyId];
        return (policy.latestVersion, policy.revoked);
    }

    /// @inheritdoc IPolicyRegistry
    function isCityLevel(bytes32 policyId) external view returns (bool) {
        return _policies[policyId].cityLevel;
    }

    /// @inheritdoc IPolicyRegistry
    function versionOf(bytes32 policyId, uint32 version)
        external
        view
        returns (bytes32 digest, uint64 effectiveAt)
    {
        Version storage v = _versions[policyId][version];
        if (v.digest == bytes32(0)) revert PolicyUnknown(policyId);
        return (v.digest, v.effectiveAt);
    }

    /// @inheritdoc IPolicyRegistry
    function isClauseInForce(bytes32 policyId, bytes32 clauseId) public view returns (bool) {
        Policy storage policy = _policies[policyId];
        if (policy.latestVersion == 0 || policy.revoked) return false;
        if (_clauseVersion[policyId][clauseId] != policy.latestVersion) return false;
        return _versions[policyId][policy.latestVersion].effectiveAt <= block.timestamp;
    }

    /// @dev Checks shared by anchoring and proposing.
    function _check(
        bytes32 policyId,
        uint32 version,
        bytes32 digest,
        bytes32[] calldata clauseIds,
        bytes32[] calldata clauseDigests
    ) private view {
        if (policyId == bytes32(0) || digest == bytes32(0)) revert InvalidDigest(policyId);
        Policy storage policy = _policies[policyId];
        if (policy.revoked) revert PolicyIsRevoked(policyId);
        uint32 expected = policy.latestVersion + 1;
        if (version != expected) revert VersionOutOfOrder(policyId, expected, version);
        if (clauseIds.length == 0 || clauseIds.length != clauseDigests.length) {
            revert ClausesMismatch(clauseIds.length, clauseDigests.length);
        }
        for (uint256 i = 0; i < clauseIds.length; ++i) {
            if (clauseIds[i] == bytes32(0) || clauseDigests[i] == bytes32(0)) {
                revert InvalidClause(policyId, clauseIds[i]);
            }
            for (uint256 j = 0; j < i; ++j) {
                if (clauseIds[j] == clauseIds[i]) revert InvalidClause(policyId, clauseIds[i]);
            }
        }
    }

    function _anchor(
        bytes32 policyId,
        uint32 version,
        bytes32 digest,
        bytes32 kind,
        bytes32 element,
        uint64 effectiveAt,
        bytes32[] memory clauseIds,
        bytes32[] memory clauseDigests
    ) private {
        _policies[policyId].latestVersion = version;
        _versions[policyId][version] = Version(digest, effectiveAt);
        for (uint256 i = 0; i < clauseIds.length; ++i) {
            _clauseVersion[policyId][clauseIds[i]] = version;
        }
        emit PolicyAnchored(policyId, version, digest, kind, element, effectiveAt, clauseIds, clauseDigests);
    }
}
