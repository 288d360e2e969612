// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";

/// @title Registry of anchored policy records.
/// @notice Stores each version's digest and effective time, and which clauses the
/// latest version holds, so that mechanisms can ask whether a clause is in force.
contract PolicyRegistry is IPolicyRegistry {
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");

    struct Version {
        bytes32 digest;
        uint64 effectiveAt;
    }

    struct Policy {
        uint32 latestVersion;
        bool revoked;
    }

    IDirectory public immutable directory;

    mapping(bytes32 policyId => Policy) private _policies;
    mapping(bytes32 policyId => mapping(uint32 version => Version)) private _versions;
    /// @dev The latest version a clause appeared in; in force when equal to the policy's latest.
    mapping(bytes32 policyId => mapping(bytes32 clauseId => uint32 version)) private _clauseVersion;

    constructor(IDirectory directory_) {
        directory = directory_;
    }

    modifier onlyIssuer() {
        if (!directory.hasRole(ISSUER_ROLE, msg.sender)) revert Unauthorized(msg.sender, ISSUER_ROLE);
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
    ) external onlyIssuer {
        if (policyId == bytes32(0) || digest == bytes32(0)) revert InvalidDigest(policyId);
        Policy storage policy = _policies[policyId];
        if (policy.revoked) revert PolicyIsRevoked(policyId);
        uint32 expected = policy.latestVersion + 1;
        if (version != expected) revert VersionOutOfOrder(policyId, expected, version);
        if (clauseIds.length == 0 || clauseIds.length != clauseDigests.length) {
            revert ClausesMismatch(clauseIds.length, clauseDigests.length);
        }

        policy.latestVersion = version;
        _versions[policyId][version] = Version(digest, effectiveAt);
        for (uint256 i = 0; i < clauseIds.length; ++i) {
            bytes32 clauseId = clauseIds[i];
            if (clauseId == bytes32(0) || clauseDigests[i] == bytes32(0)) {
                revert InvalidClause(policyId, clauseId);
            }
            if (_clauseVersion[policyId][clauseId] == version) revert InvalidClause(policyId, clauseId);
            _clauseVersion[policyId][clauseId] = version;
        }
        emit PolicyAnchored(policyId, version, digest, kind, element, effectiveAt, clauseIds, clauseDigests);
    }

    /// @inheritdoc IPolicyRegistry
    function revokePolicy(bytes32 policyId) external onlyIssuer {
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
}
