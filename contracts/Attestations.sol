// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IAttestations} from "./interfaces/IAttestations.sol";

/// @title Versioned attestations of statistics.
/// @notice Only a STATISTICIAN attests. Every attestation names the policy clause it
/// executes, and each new one supersedes the key's previous version.
contract Attestations is IAttestations {
    bytes32 public constant STATISTICIAN_ROLE = keccak256("STATISTICIAN_ROLE");
    /// @notice A share of 1, in parts per million.
    uint32 public constant ONE = 1_000_000;

    struct Attestation {
        uint32 valuePpm;
        bytes32 period;
        bytes32 sourceDigest;
        bytes32 policyId;
        bytes32 clauseId;
        address attester;
        uint64 attestedAt;
    }

    IDirectory public immutable directory;
    IPolicyRegistry public immutable registry;

    mapping(bytes32 key => uint32 version) private _latest;
    mapping(bytes32 key => mapping(uint32 version => Attestation)) private _attestations;

    constructor(IDirectory directory_, IPolicyRegistry registry_) {
        directory = directory_;
        registry = registry_;
    }

    modifier onlyStatistician() {
        if (!directory.hasRole(STATISTICIAN_ROLE, msg.sender)) {
            revert Unauthorized(msg.sender, STATISTICIAN_ROLE);
        }
        _;
    }

    /// @inheritdoc IAttestations
    function attest(
        bytes32 key,
        uint32 valuePpm,
        bytes32 period,
        bytes32 sourceDigest,
        bytes32 policyId,
        bytes32 clauseId
    ) external onlyStatistician {
        uint32 previous = _latest[key];
        uint32 version = previous + 1;
        if (key == bytes32(0) || period == bytes32(0)) revert InvalidStatistic(key, period);
        if (valuePpm > ONE) revert ValueOutOfRange(key, valuePpm);
        if (sourceDigest == bytes32(0)) revert InvalidSourceDigest(key);
        if (!registry.isClauseInForce(policyId, clauseId)) {
            revert IPolicyRegistry.ClauseNotInForce(policyId, clauseId);
        }

        _latest[key] = version;
        _attestations[key][version] = Attestation({
            valuePpm: valuePpm,
            period: period,
            sourceDigest: sourceDigest,
            policyId: policyId,
            clauseId: clauseId,
            attester: msg.sender,
            attestedAt: uint64(block.timestamp)
        });
        emit StatisticAttested(
            key, policyId, msg.sender, clauseId, valuePpm, period, sourceDigest, version, previous
        );
    }

    /// @inheritdoc IAttestations
    function latest(bytes32 key)
        external
        view
        returns (
            uint32 version,
            uint32 valuePpm,
            bytes32 period,
            bytes32 sourceDigest,
            bytes32 policyId,
            bytes32 clauseId,
            address attester,
            uint64 attestedAt
        )
    {
        version = _latest[key];
        if (version == 0) revert StatisticUnknown(key);
        Attestation storage a = _attestations[key][version];
        return (
            version, a.valuePpm, a.period, a.sourceDigest, a.policyId, a.clauseId, a.attester, a.attestedAt
        );
    }

    /// @inheritdoc IAttestations
    function attestationOf(bytes32 key, uint32 version)
        external
        view
        returns (
            uint32 valuePpm,
            bytes32 period,
            bytes32 sourceDigest,
            bytes32 policyId,
            bytes32 clauseId,
            address attester,
            uint64 attestedAt
        )
    {
        if (version == 0 || version > _latest[key]) revert AttestationUnknown(key, version);
        Attestation storage a = _attestations[key][version];
        return (a.valuePpm, a.period, a.sourceDigest, a.policyId, a.clauseId, a.attester, a.attestedAt);
    }
}
