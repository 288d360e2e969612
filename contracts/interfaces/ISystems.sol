// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Business systems and their connection to the command center.
/// @notice A department registers the business systems it owns, with the heartbeat
/// interval each promises once connected and whether it feeds the data center, and
/// connects or disconnects them under a policy clause in force. D city connects 29
/// systems, 16 of which feed its data center. Data that cannot be had yet, such as
/// the customs and tax data of vertical ministries, is registered as a reserved slot:
/// visible, but not connectable until its owner fills it.
interface ISystems {
    /// @notice A business system to register: its kind, the heartbeat interval it promises
    /// once connected, whether it feeds the data center, and whether it is a reserved slot.
    struct SystemRequest {
        bytes32 systemId;
        bytes32 kind;
        uint64 heartbeatInterval;
        bool feedsDataCenter;
        bool reserved;
    }

    /// @notice A system as stored: its owning department and terms, whether it is still a
    /// reserved slot, and whether it is connected now.
    struct System {
        bytes32 ownerId;
        bytes32 kind;
        uint64 heartbeatInterval;
        bool feedsDataCenter;
        bool reserved;
        bool connected;
    }

    /// @notice A department registered a business system; `reserved` when it is a slot for
    /// a system not available yet.
    event SystemRegistered(
        bytes32 indexed systemId,
        bytes32 indexed ownerId,
        bytes32 kind,
        uint64 heartbeatInterval,
        bool feedsDataCenter,
        bool reserved
    );
    /// @notice A reserved slot was filled: its system became available and can connect.
    event SlotFilled(bytes32 indexed systemId, bytes32 indexed ownerId);
    /// @notice A system was connected to the command center under a policy clause.
    event SystemConnected(
        bytes32 indexed systemId, bytes32 indexed policyId, bytes32 indexed ownerId, bytes32 clauseId
    );
    /// @notice A system was disconnected from the command center under a policy clause.
    event SystemDisconnected(
        bytes32 indexed systemId, bytes32 indexed policyId, bytes32 indexed ownerId, bytes32 clauseId
    );

    /// @notice The system id is taken.
    error SystemExists(bytes32 systemId);
    /// @notice No system has this id.
    error SystemUnknown(bytes32 systemId);
    /// @notice A zero id, zero kind or zero heartbeat interval was given.
    error InvalidSystem(bytes32 systemId, bytes32 kind, uint64 heartbeatInterval);
    /// @notice The caller's department does not own this system.
    error NotSystemOwner(bytes32 systemId, bytes32 callerId);
    /// @notice The system is a reserved slot, not yet filled, and cannot connect.
    error SlotReserved(bytes32 systemId);
    /// @notice The system is not a reserved slot, or its slot was already filled.
    error SlotNotReserved(bytes32 systemId);
    /// @notice The system is already connected.
    error SystemAlreadyConnected(bytes32 systemId);
    /// @notice The system is not connected.
    error SystemNotConnected(bytes32 systemId);

    /// @notice Register a business system owned by the caller's department. A `reserved`
    /// system is a slot that cannot connect until it is filled.
    function registerSystem(SystemRequest calldata r) external;

    /// @notice Fill a reserved slot: its system is now available. Only the owner.
    function fillSlot(bytes32 systemId) external;

    /// @notice Connect a system to the command center under a policy clause in force. Only
    /// the owner, and not while the system is a reserved slot.
    function connect(bytes32 systemId, bytes32 policyId, bytes32 clauseId) external;

    /// @notice Disconnect a connected system under a policy clause in force. Only the owner.
    function disconnect(bytes32 systemId, bytes32 policyId, bytes32 clauseId) external;

    /// @notice A system's owner and terms, whether it is still a reserved slot, and whether
    /// it is connected now; reverts SystemUnknown if there is none.
    function systemOf(bytes32 systemId) external view returns (System memory);
}
