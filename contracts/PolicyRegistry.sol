// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {DirectoryManaged} from "./access/DirectoryManaged.sol";
import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {ISSUER_ROLE, LEADER_ROLE} from "./interfaces/Common.sol";

/// @title Registry of anchored policy records.
/// @notice Stores each version's digest and effective time, and which clauses the
/// latest version holds, so that mechanisms can ask whether a clause is in force.
/// Department-level policies are anchored by an ISSUER; city-level ones are proposed
/// by an ISSUER and anchored when two distinct LEADER accounts approve them.
contract PolicyRegistry is DirectoryManaged, IPolicyRegistry {
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
        PolicyVersionRequest request;
        address firstLeader;
    }

    mapping(bytes32 policyId => Policy) private _policies;
    mapping(bytes32 policyId => mapping(uint32 version => Version)) private _versions;
    /// @dev The latest version a clause appeared in; in force when equal to the policy's latest.
    mapping(bytes32 policyId => mapping(bytes32 clauseId => uint32 version)) private _clauseVersion;
    mapping(bytes32 policyId => Proposal) private _proposals;

    /// @dev The registry answers for its own clauses: it is its own `registry`.
    constructor(IDirectory directory_) DirectoryManaged(directory_, IPolicyRegistry(address(this))) {}

    /// @inheritdoc IPolicyRegistry
    function anchorPolicy(PolicyVersionRequest calldata r) external onlyRole(ISSUER_ROLE) {
        _check(r);
        if (_policies[r.policyId].cityLevel) revert ApprovalRequired(r.policyId);
        _anchor(r);
    }

    /// @inheritdoc IPolicyRegistry
    function proposeCityPolicy(PolicyVersionRequest calldata r) external onlyRole(ISSUER_ROLE) {
        _check(r);
        Proposal storage pending = _proposals[r.policyId];
        if (pending.request.version != 0) revert ProposalPending(r.policyId, pending.request.version);

        _policies[r.policyId].cityLevel = true;
        pending.request = r;
        emit PolicyProposed(r.policyId, r.version, r.digest, msg.sender);
    }

    /// @inheritdoc IPolicyRegistry
    function approvePolicy(bytes32 policyId, uint32 version, bytes32 digest) external onlyRole(LEADER_ROLE) {
        Proposal storage pending = _proposals[policyId];
        uint32 proposed = pending.request.version;
        if (proposed == 0 || proposed != version) revert NoSuchProposal(policyId, version);
        if (pending.request.digest != digest) {
            revert DigestMismatch(policyId, version, pending.request.digest, digest);
        }
        if (pending.firstLeader == msg.sender) revert AlreadyApproved(policyId, version, msg.sender);

        if (pending.firstLeader == address(0)) {
            pending.firstLeader = msg.sender;
            emit PolicyApproved(policyId, version, msg.sender, 1);
            return;
        }
        emit PolicyApproved(policyId, version, msg.sender, APPROVALS_NEEDED);
        PolicyVersionRequest memory approved = pending.request;
        delete _proposals[policyId];
        _anchor(approved);
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
    function _check(PolicyVersionRequest calldata r) private view {
        if (r.policyId == bytes32(0) || r.digest == bytes32(0)) revert InvalidDigest(r.policyId);
        Policy storage policy = _policies[r.policyId];
        if (policy.revoked) revert PolicyIsRevoked(r.policyId);
        uint32 expected = policy.latestVersion + 1;
        if (r.version != expected) revert VersionOutOfOrder(r.policyId, expected, r.version);
        bytes32[] calldata clauseIds = r.clauseIds;
        bytes32[] calldata clauseDigests = r.clauseDigests;
        if (clauseIds.length == 0 || clauseIds.length != clauseDigests.length) {
            revert ClausesMismatch(clauseIds.length, clauseDigests.length);
        }
        for (uint256 i = 0; i < clauseIds.length; ++i) {
            if (clauseIds[i] == bytes32(0) || clauseDigests[i] == bytes32(0)) {
                revert InvalidClause(r.policyId, clauseIds[i]);
            }
            for (uint256 j = 0; j < i; ++j) {
                if (clauseIds[j] == clauseIds[i]) revert InvalidClause(r.policyId, clauseIds[i]);
            }
        }
    }

    function _anchor(PolicyVersionRequest memory r) private {
        _policies[r.policyId].latestVersion = r.version;
        _versions[r.policyId][r.version] = Version(r.digest, r.effectiveAt);
        for (uint256 i = 0; i < r.clauseIds.length; ++i) {
            _clauseVersion[r.policyId][r.clauseIds[i]] = r.version;
        }
        emit PolicyAnchored(
            r.policyId, r.version, r.digest, r.kind, r.element, r.effectiveAt, r.clauseIds, r.clauseDigests
        );
    }
}
