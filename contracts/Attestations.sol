// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {DirectoryManaged} from "./access/DirectoryManaged.sol";
import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IAttestations} from "./interfaces/IAttestations.sol";
import {STATISTICIAN_ROLE} from "./interfaces/Common.sol";

/// @title Versioned attestations of statistics.
/// @notice Only a STATISTICIAN department attests. Every attestation names the policy clause
/// it executes, and each new one supersedes the key's previous version; a key belongs to the
/// department that first attested it.
contract Attestations is DirectoryManaged, IAttestations {
    /// @notice A share of 1, in parts per million.
    uint32 public constant ONE = 1_000_000;

    mapping(bytes32 key => uint32 version) private _latest;
    mapping(bytes32 key => mapping(uint32 version => Attestation)) private _attestations;
    /// @dev The department that first attested each key.
    mapping(bytes32 key => bytes32 ownerId) private _owners;

    bytes32 private constant STATISTIC = "statistic";

    constructor(IDirectory directory_, IPolicyRegistry registry_) DirectoryManaged(directory_, registry_) {}

    /// @inheritdoc IAttestations
    function attest(AttestationRequest calldata r)
        external
        onlyRole(STATISTICIAN_ROLE)
        returns (uint32 version)
    {
        bytes32 key = r.key;
        uint32 previous = _latest[key];
        version = previous + 1;
        if (key == bytes32(0) || r.period == bytes32(0)) revert InvalidStatistic(key, r.period);
        if (r.valuePpm > ONE) revert ValueOutOfRange(key, r.valuePpm);
        if (r.sourceDigest == bytes32(0)) revert InvalidSourceDigest(key);
        _requireInForce(r.policyId, r.clauseId);
        if (previous == 0) {
            _owners[key] = _callerDepartment();
        } else {
            _requireOwner(STATISTIC, key, _owners[key]);
        }

        _latest[key] = version;
        _attestations[key][version] = Attestation({
            period: r.period,
            sourceDigest: r.sourceDigest,
            policyId: r.policyId,
            clauseId: r.clauseId,
            valuePpm: r.valuePpm,
            attester: msg.sender,
            attestedAt: uint64(block.timestamp)
        });
        emit StatisticAttested(
            key, r.policyId, msg.sender, r.clauseId, r.valuePpm, r.period, r.sourceDigest, version, previous
        );
    }

    /// @inheritdoc IAttestations
    function ownerOf(bytes32 key) external view returns (bytes32) {
        if (_latest[key] == 0) revert StatisticUnknown(key);
        return _owners[key];
    }

    /// @inheritdoc IAttestations
    function latest(bytes32 key) external view returns (uint32 version, Attestation memory attestation) {
        version = _latest[key];
        if (version == 0) revert StatisticUnknown(key);
        attestation = _attestations[key][version];
    }

    /// @inheritdoc IAttestations
    function attestationOf(bytes32 key, uint32 version) external view returns (Attestation memory) {
        if (version == 0 || version > _latest[key]) revert AttestationUnknown(key, version);
        return _attestations[key][version];
    }
}
