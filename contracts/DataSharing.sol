// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {DirectoryManaged} from "./access/DirectoryManaged.sol";
import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IDataSharing} from "./interfaces/IDataSharing.sol";

/// @title Data-sharing catalog, agreements and deliveries.
/// @notice Only a department acts, and only the providing department acts for its
/// items and agreements. Every agreement cites a policy clause in force, and every
/// delivery event names that clause.
contract DataSharing is DirectoryManaged, IDataSharing {
    uint8 internal constant OPEN = 0;
    uint8 internal constant DELIVERED = 1;
    uint8 internal constant MISSED = 2;

    struct Item {
        bytes32 providerId;
        bytes32 dataType;
        uint8 permission;
        bytes32 disclosure;
    }

    struct Agreement {
        bytes32 itemId;
        bytes32 providerId;
        bytes32 consumerId;
        bytes32 policyId;
        bytes32 clauseId;
        uint64 firstDueAt;
        uint64 period;
        uint32 periods;
        uint64 revokedAt;
        uint8 permission;
    }

    mapping(bytes32 itemId => Item) private _items;
    mapping(bytes32 agreementId => Agreement) private _agreements;
    mapping(bytes32 agreementId => mapping(uint32 period => uint8 status)) private _status;

    constructor(IDirectory directory_, IPolicyRegistry registry_) DirectoryManaged(directory_, registry_) {}

    /// @inheritdoc IDataSharing
    function registerItem(bytes32 itemId, bytes32 dataType, uint8 permission, bytes32 disclosure)
        external
    {
        bytes32 providerId = _callerDepartment();
        if (itemId == bytes32(0) || dataType == bytes32(0) || permission == 0) revert InvalidItem(itemId);
        if (_items[itemId].providerId != bytes32(0)) revert ItemExists(itemId);

        _items[itemId] = Item(providerId, dataType, permission, disclosure);
        emit CatalogItemRegistered(itemId, providerId, dataType, permission, disclosure);
    }

    /// @inheritdoc IDataSharing
    function commitAgreement(AgreementRequest calldata r) external {
        bytes32 agreementId = r.agreementId;
        bytes32 providerId = _providerOf(r.itemId);
        if (agreementId == bytes32(0) || _agreements[agreementId].providerId != bytes32(0)) {
            revert AgreementExists(agreementId);
        }
        if (r.consumerId == providerId || !directory.isDepartment(r.consumerId)) {
            revert InvalidConsumer(r.consumerId);
        }
        uint8 allowed = _items[r.itemId].permission;
        if (r.permission == 0 || r.permission > allowed) {
            revert PermissionExceedsItem(r.itemId, r.permission, allowed);
        }
        if (
            r.period == 0 || r.periods == 0 || r.firstDueAt <= block.timestamp
                || uint256(r.firstDueAt) + uint256(r.periods - 1) * r.period > type(uint64).max
        ) {
            revert InvalidSchedule(r.firstDueAt, r.period, r.periods);
        }
        _requireInForce(r.policyId, r.clauseId);

        _agreements[agreementId] = Agreement({
            itemId: r.itemId,
            providerId: providerId,
            consumerId: r.consumerId,
            policyId: r.policyId,
            clauseId: r.clauseId,
            firstDueAt: r.firstDueAt,
            period: r.period,
            periods: r.periods,
            revokedAt: 0,
            permission: r.permission
        });
        emit AgreementCommitted(
            agreementId,
            r.policyId,
            providerId,
            r.clauseId,
            r.itemId,
            r.consumerId,
            r.permission,
            r.firstDueAt,
            r.period,
            r.periods,
            r.callsPerPeriod
        );
    }

    /// @inheritdoc IDataSharing
    function recordDelivery(bytes32 agreementId, uint32 period, uint64 recordCount, bytes32 payloadDigest)
        external
    {
        Agreement storage agreement = _agreement(agreementId);
        _providerOf(agreement.itemId);
        if (agreement.revokedAt != 0) revert AgreementIsRevoked(agreementId);
        _openPeriod(agreementId, period);
        uint64 due = _dueAt(agreement, period);

        _status[agreementId][period] = DELIVERED;
        emit DeliveryRecorded(
            agreementId,
            agreement.policyId,
            agreement.providerId,
            agreement.clauseId,
            period,
            due,
            recordCount,
            payloadDigest,
            block.timestamp <= due
        );
    }

    /// @inheritdoc IDataSharing
    function markMissed(bytes32 agreementId, uint32 period) external {
        Agreement storage agreement = _openPeriod(agreementId, period);
        uint64 due = _dueAt(agreement, period);
        if (block.timestamp <= due) revert NotYetDue(agreementId, period, due);
        if (agreement.revokedAt != 0 && due > agreement.revokedAt) {
            revert PeriodAfterRevocation(agreementId, period, due);
        }

        _status[agreementId][period] = MISSED;
        emit DeliveryMissed(
            agreementId, agreement.policyId, agreement.providerId, agreement.clauseId, period, due, msg.sender
        );
    }

    /// @inheritdoc IDataSharing
    function revokeAgreement(bytes32 agreementId) external {
        Agreement storage agreement = _agreement(agreementId);
        _providerOf(agreement.itemId);
        if (agreement.revokedAt != 0) revert AgreementIsRevoked(agreementId);

        agreement.revokedAt = uint64(block.timestamp);
        emit AgreementRevoked(agreementId, agreement.policyId, agreement.providerId, uint64(block.timestamp));
    }

    /// @inheritdoc IDataSharing
    function dueAt(bytes32 agreementId, uint32 period) external view returns (uint64) {
        Agreement storage agreement = _agreement(agreementId);
        if (period >= agreement.periods) revert PeriodOutOfRange(agreementId, period, agreement.periods);
        return _dueAt(agreement, period);
    }

    /// @inheritdoc IDataSharing
    function periodStatus(bytes32 agreementId, uint32 period) external view returns (uint8) {
        Agreement storage agreement = _agreement(agreementId);
        if (period >= agreement.periods) revert PeriodOutOfRange(agreementId, period, agreement.periods);
        return _status[agreementId][period];
    }

    /// @dev The item's provider, after checking that the caller's department is it.
    function _providerOf(bytes32 itemId) private view returns (bytes32) {
        bytes32 providerId = _items[itemId].providerId;
        if (providerId == bytes32(0)) revert ItemUnknown(itemId);
        bytes32 callerId = _callerDepartment();
        if (callerId != providerId) revert NotProvider(itemId, callerId);
        return providerId;
    }

    function _agreement(bytes32 agreementId) private view returns (Agreement storage agreement) {
        agreement = _agreements[agreementId];
        if (agreement.providerId == bytes32(0)) revert AgreementUnknown(agreementId);
    }

    function _openPeriod(bytes32 agreementId, uint32 period) private view returns (Agreement storage agreement) {
        agreement = _agreement(agreementId);
        if (period >= agreement.periods) revert PeriodOutOfRange(agreementId, period, agreement.periods);
        uint8 status = _status[agreementId][period];
        if (status != OPEN) revert PeriodClosed(agreementId, period, status);
    }

    function _dueAt(Agreement storage agreement, uint32 period) private view returns (uint64) {
        return agreement.firstDueAt + uint64(period) * agreement.period;
    }
}
