// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Attested statistics: coverage, uptake and accuracy rates.
/// @notice A statistician attests the value of a statistic (a share in [0, 1], in parts
/// per million) for a period, with the digest of its source, under a policy clause in
/// force. D city attests 90% fibre-to-home, 90% 5G coverage in key areas, 90% bus
/// prediction accuracy and 90% e-payment use. A new attestation of the same key
/// supersedes the previous one; earlier versions stay readable and are never edited. A key
/// belongs to the department that first attested it: only that department attests its later
/// versions (another gets NotOwner("statistic", key, owner, caller), declared in
/// IDirectoryManaged).
interface IAttestations {
    /// @notice An attestation to make: `valuePpm` (parts per million, at most 1 000 000) as the
    /// value of statistic `key` for `period`, from a source with digest `sourceDigest`, under
    /// a policy clause in force.
    struct AttestationRequest {
        bytes32 key;
        uint32 valuePpm;
        bytes32 period;
        bytes32 sourceDigest;
        bytes32 policyId;
        bytes32 clauseId;
    }

    /// @notice One version of a statistic as stored, with who attested it and when.
    struct Attestation {
        bytes32 period;
        bytes32 sourceDigest;
        bytes32 policyId;
        bytes32 clauseId;
        uint32 valuePpm;
        address attester;
        uint64 attestedAt;
    }

    /// @notice Version `version` of statistic `key` was attested, superseding version
    /// `supersedesVersion` (0 for the first).
    event StatisticAttested(
        bytes32 indexed key,
        bytes32 indexed policyId,
        address indexed attester,
        bytes32 clauseId,
        uint32 valuePpm,
        bytes32 period,
        bytes32 sourceDigest,
        uint32 version,
        uint32 supersedesVersion
    );

    /// @notice A share is at most 1 000 000 parts per million.
    error ValueOutOfRange(bytes32 key, uint32 valuePpm);
    /// @notice An attestation needs the digest of its source.
    error InvalidSourceDigest(bytes32 key);
    /// @notice A zero key or zero period was given.
    error InvalidStatistic(bytes32 key, bytes32 period);
    /// @notice No statistic with this key was attested.
    error StatisticUnknown(bytes32 key);
    /// @notice The statistic has no such version.
    error AttestationUnknown(bytes32 key, uint32 version);

    /// @notice Attest `r.valuePpm` as the value of statistic `r.key` for `r.period`. Supersedes
    /// the key's previous attestation. Only a STATISTICIAN department, and for a key attested
    /// before only the department that first attested it.
    /// @return version The new attestation's version, counted from 1.
    function attest(AttestationRequest calldata r) external returns (uint32 version);

    /// @notice The department that first attested `key` (and owns its later versions); reverts
    /// StatisticUnknown if none.
    function ownerOf(bytes32 key) external view returns (bytes32);

    /// @notice The attestation in force for `key`: its latest version; reverts
    /// StatisticUnknown if none.
    function latest(bytes32 key) external view returns (uint32 version, Attestation memory attestation);

    /// @notice Version `version` of the attestations of `key`, in force or superseded.
    function attestationOf(bytes32 key, uint32 version) external view returns (Attestation memory);
}
