// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Inter-department data-sharing commitments.
/// @notice A providing department registers its catalog items (data type, usage
/// permission, disclosure method), commits agreements to consuming departments under
/// a policy clause in force, and records each period's delivery. A delivery not made
/// by its due time can be marked missed by anyone.
interface IDataSharing {
    /// @notice An agreement to commit: deliver `itemId` to `consumerId` with usage
    /// `permission`, every `period` seconds, `periods` times, the first due at `firstDueAt`,
    /// answering up to `callsPerPeriod` calls a period, under a policy clause in force.
    struct AgreementRequest {
        bytes32 agreementId;
        bytes32 itemId;
        bytes32 consumerId;
        bytes32 policyId;
        bytes32 clauseId;
        uint8 permission;
        uint64 firstDueAt;
        uint64 period;
        uint32 periods;
        uint64 callsPerPeriod;
    }

    /// @notice A catalog item was registered by its providing department.
    event CatalogItemRegistered(
        bytes32 indexed itemId,
        bytes32 indexed providerId,
        bytes32 dataType,
        uint8 permission,
        bytes32 disclosure
    );
    /// @notice A provider committed to deliver an item to a consumer under a policy clause.
    event AgreementCommitted(
        bytes32 indexed agreementId,
        bytes32 indexed policyId,
        bytes32 indexed providerId,
        bytes32 clauseId,
        bytes32 itemId,
        bytes32 consumerId,
        uint8 permission,
        uint64 firstDueAt,
        uint64 period,
        uint32 periods,
        uint64 callsPerPeriod
    );
    /// @notice The delivery of one period was recorded; `onTime` when made by its due time.
    event DeliveryRecorded(
        bytes32 indexed agreementId,
        bytes32 indexed policyId,
        bytes32 indexed providerId,
        bytes32 clauseId,
        uint32 period,
        uint64 dueAt,
        uint64 recordCount,
        bytes32 payloadDigest,
        bool onTime
    );
    /// @notice The delivery of one period was marked missed after its due time.
    event DeliveryMissed(
        bytes32 indexed agreementId,
        bytes32 indexed policyId,
        bytes32 indexed providerId,
        bytes32 clauseId,
        uint32 period,
        uint64 dueAt,
        address markedBy
    );
    /// @notice The provider revoked an agreement; no later period is due.
    event AgreementRevoked(
        bytes32 indexed agreementId,
        bytes32 indexed policyId,
        bytes32 indexed providerId,
        uint64 revokedAt
    );

    /// @notice The item id is taken.
    error ItemExists(bytes32 itemId);
    /// @notice No item has this id.
    error ItemUnknown(bytes32 itemId);
    /// @notice The caller's department does not provide this item.
    error NotProvider(bytes32 itemId, bytes32 callerId);
    /// @notice A zero id, zero data type or zero permission level was given.
    error InvalidItem(bytes32 itemId);
    /// @notice The agreement id is taken.
    error AgreementExists(bytes32 agreementId);
    /// @notice No agreement has this id.
    error AgreementUnknown(bytes32 agreementId);
    /// @notice The agreement was revoked.
    error AgreementIsRevoked(bytes32 agreementId);
    /// @notice An agreement must name another department as consumer.
    error InvalidConsumer(bytes32 consumerId);
    /// @notice The permission granted exceeds what the item allows, or is zero.
    error PermissionExceedsItem(bytes32 itemId, uint8 granted, uint8 allowed);
    /// @notice Period length and count must be positive, the first due time in the future,
    /// and the last due time must fit in 64 bits.
    error InvalidSchedule(uint64 firstDueAt, uint64 period, uint32 periods);
    /// @notice The period index is past the agreement's last period.
    error PeriodOutOfRange(bytes32 agreementId, uint32 period, uint32 periods);
    /// @notice The period was already delivered (status 1) or marked missed (status 2).
    error PeriodClosed(bytes32 agreementId, uint32 period, uint8 status);
    /// @notice The period is not yet past its due time.
    error NotYetDue(bytes32 agreementId, uint32 period, uint64 dueAt);
    /// @notice The period falls due after the agreement was revoked.
    error PeriodAfterRevocation(bytes32 agreementId, uint32 period, uint64 dueAt);

    /// @notice Register a catalog item provided by the caller's department.
    function registerItem(bytes32 itemId, bytes32 dataType, uint8 permission, bytes32 disclosure)
        external;

    /// @notice Commit to deliver `r.itemId` to `r.consumerId` every `r.period` seconds,
    /// `r.periods` times, the first due at `r.firstDueAt`, under a policy clause in force.
    /// Only the item's provider.
    function commitAgreement(AgreementRequest calldata r) external;

    /// @notice Record the delivery of one period. Only the provider.
    function recordDelivery(bytes32 agreementId, uint32 period, uint64 recordCount, bytes32 payloadDigest)
        external;

    /// @notice Mark a period's delivery missed once its due time has passed. Anyone.
    function markMissed(bytes32 agreementId, uint32 period) external;

    /// @notice Revoke an agreement. Only the provider.
    function revokeAgreement(bytes32 agreementId) external;

    /// @notice The due time of one period.
    function dueAt(bytes32 agreementId, uint32 period) external view returns (uint64);

    /// @notice 0 open, 1 delivered, 2 missed.
    function periodStatus(bytes32 agreementId, uint32 period) external view returns (uint8);
}
