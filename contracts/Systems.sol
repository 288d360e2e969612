// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {DirectoryManaged} from "./access/DirectoryManaged.sol";
import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {ISystems} from "./interfaces/ISystems.sol";

/// @title Business systems, reserved slots and their connection to the command center.
/// @notice Only a department registers, and only the owning department fills, connects and
/// disconnects its systems. Every connection event names the policy clause it executes.
contract Systems is DirectoryManaged, ISystems {
    mapping(bytes32 systemId => System) private _systems;

    constructor(IDirectory directory_, IPolicyRegistry registry_) DirectoryManaged(directory_, registry_) {}

    /// @inheritdoc ISystems
    function registerSystem(SystemRequest calldata r) external {
        bytes32 ownerId = _callerDepartment();
        if (r.systemId == bytes32(0) || r.kind == bytes32(0) || r.heartbeatInterval == 0) {
            revert InvalidSystem(r.systemId, r.kind, r.heartbeatInterval);
        }
        if (_systems[r.systemId].ownerId != bytes32(0)) revert SystemExists(r.systemId);

        _systems[r.systemId] = System({
            ownerId: ownerId,
            kind: r.kind,
            heartbeatInterval: r.heartbeatInterval,
            feedsDataCenter: r.feedsDataCenter,
            reserved: r.reserved,
            connected: false
        });
        emit SystemRegistered(
            r.systemId, ownerId, r.kind, r.heartbeatInterval, r.feedsDataCenter, r.reserved
        );
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
    function systemOf(bytes32 systemId) external view returns (System memory) {
        return _system(systemId);
    }

    function _system(bytes32 systemId) private view returns (System storage system) {
        system = _systems[systemId];
        if (system.ownerId == bytes32(0)) revert SystemUnknown(systemId);
    }

    /// @dev The system, after checking that the caller's department owns it.
    function _owned(bytes32 systemId) private view returns (System storage system) {
        system = _system(systemId);
        bytes32 callerId = _callerDepartment();
        if (callerId != system.ownerId) revert NotSystemOwner(systemId, callerId);
    }
}
