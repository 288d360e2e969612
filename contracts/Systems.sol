// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {ISystems} from "./interfaces/ISystems.sol";

/// @title Business systems, reserved slots and their connection to the command center.
/// @notice Only a department registers, and only the owning department fills, connects and
/// disconnects its systems. Every connection event names the policy clause it executes.
contract Systems is ISystems {
    struct System {
        bytes32 ownerId;
        bytes32 kind;
        uint64 heartbeatInterval;
        bool feedsDataCenter;
        bool reserved;
        bool connected;
    }

    IDirectory public immutable directory;
    IPolicyRegistry public immutable registry;

    mapping(bytes32 systemId => System) private _systems;

    constructor(IDirectory directory_, IPolicyRegistry registry_) {
        directory = directory_;
        registry = registry_;
    }

    /// @inheritdoc ISystems
    function registerSystem(
        bytes32 systemId,
        bytes32 kind,
        uint64 heartbeatInterval,
        bool feedsDataCenter,
        bool reserved
    ) external {
        bytes32 ownerId = directory.departmentOf(msg.sender);
        if (systemId == bytes32(0) || kind == bytes32(0) || heartbeatInterval == 0) {
            revert InvalidSystem(systemId, kind, heartbeatInterval);
        }
        if (_systems[systemId].ownerId != bytes32(0)) revert SystemExists(systemId);

        _systems[systemId] = System({
            ownerId: ownerId,
            kind: kind,
            heartbeatInterval: heartbeatInterval,
            feedsDataCenter: feedsDataCenter,
            reserved: reserved,
            connected: false
        });
        emit SystemRegistered(systemId, ownerId, kind, heartbeatInterval, feedsDataCenter, reserved);
    }

    /// @inheritdoc ISystems
    function fillSlot(bytes32 systemId) external {
        System storage system = _owned(systemId);
        if (!system.reserved) revert SlotNotReserved(systemId);

        system.reserved = false;
        emit SlotFilled(systemId, system.ownerId);
    }

    /// @inheritdoc ISystems
    function connect(bytes32 systemId, bytes32 policyId, bytes32 clauseId) external {
        System storage system = _owned(systemId);
        if (system.reserved) revert SlotReserved(systemId);
        if (system.connected) revert SystemAlreadyConnected(systemId);
        _requireInForce(policyId, clauseId);

        system.connected = true;
        emit SystemConnected(systemId, policyId, system.ownerId, clauseId);
    }

    /// @inheritdoc ISystems
    function disconnect(bytes32 systemId, bytes32 policyId, bytes32 clauseId) external {
        System storage system = _owned(systemId);
        if (!system.connected) revert SystemNotConnected(systemId);
        _requireInForce(policyId, clauseId);

        system.connected = false;
        emit SystemDisconnected(systemId, policyId, system.ownerId, clauseId);
    }

    /// @inheritdoc ISystems
    function systemOf(bytes32 systemId)
        external
        view
        returns (
            bytes32 ownerId,
            bytes32 kind,
            uint64 heartbeatInterval,
            bool feedsDataCenter,
            bool reserved,
            bool connected
        )
    {
        System storage system = _system(systemId);
        return (
            system.ownerId,
            system.kind,
            system.heartbeatInterval,
            system.feedsDataCenter,
            system.reserved,
            system.connected
        );
    }

    function _system(bytes32 systemId) private view returns (System storage system) {
        system = _systems[systemId];
        if (system.ownerId == bytes32(0)) revert SystemUnknown(systemId);
    }

    /// @dev The system, after checking that the caller's department owns it.
    function _owned(bytes32 systemId) private view returns (System storage system) {
        system = _system(systemId);
        bytes32 callerId = directory.departmentOf(msg.sender);
        if (callerId != system.ownerId) revert NotSystemOwner(systemId, callerId);
    }

    function _requireInForce(bytes32 policyId, bytes32 clauseId) private view {
        if (!registry.isClauseInForce(policyId, clauseId)) {
            revert IPolicyRegistry.ClauseNotInForce(policyId, clauseId);
        }
    }
}
