// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Drill schedules of the command center and the drills held under them.
/// @notice A department plans a series of drills under a policy clause in force: full
/// drills, in which every seat of the command center must be staffed, or half drills,
/// in which at least half of them must be. D city runs a full drill every quarter and a
/// half drill every month over its 69 seats. The owning department records each drill
/// held; a drill counts as held on time within 7 days either side of its due time. A
/// drill not recorded by then can be marked missed by anyone.
interface IDrills {
    /// @notice A plan of drills to make: `count` drills of `kind` (1 full, 2 half), the first
    /// due at `firstDueAt` and one every `interval` seconds after it, under a policy clause.
    struct DrillPlanRequest {
        bytes32 planId;
        bytes32 policyId;
        bytes32 clauseId;
        uint8 kind;
        uint64 firstDueAt;
        uint64 interval;
        uint32 count;
        uint16 totalSeats;
        uint16 requiredSeats;
    }

    /// @notice A drill held: the seats present, the business systems online and the digest of
    /// the off-chain drill record.
    struct DrillRecordRequest {
        bytes32 planId;
        uint32 index;
        uint16 seatsPresent;
        uint16 systemsOnline;
        bytes32 recordDigest;
    }

    /// @notice A plan as stored: its owning department, the clause it executes and its terms.
    struct DrillPlan {
        bytes32 ownerId;
        bytes32 policyId;
        bytes32 clauseId;
        uint64 firstDueAt;
        uint64 interval;
        uint32 count;
        uint8 kind;
        uint16 totalSeats;
        uint16 requiredSeats;
    }

    /// @notice A department planned `count` drills of `kind` (1 full, 2 half), the first due
    /// at `firstDueAt` and one every `interval` seconds after it.
    event DrillsPlanned(
        bytes32 indexed planId,
        bytes32 indexed policyId,
        bytes32 indexed ownerId,
        bytes32 clauseId,
        uint8 kind,
        uint64 firstDueAt,
        uint64 interval,
        uint32 count,
        uint16 totalSeats,
        uint16 requiredSeats
    );
    /// @notice Drill `index` of a plan was held. `withinWindow` when recorded no more than
    /// 7 days after its due time (it cannot be recorded more than 7 days before);
    /// `seatsMet` when at least the plan's required seats were present.
    event DrillHeld(
        bytes32 indexed planId,
        bytes32 indexed policyId,
        bytes32 indexed ownerId,
        bytes32 clauseId,
        uint32 index,
        uint64 dueAt,
        uint16 seatsPresent,
        uint16 systemsOnline,
        bytes32 recordDigest,
        bool withinWindow,
        bool seatsMet
    );
    /// @notice Drill `index` of a plan was marked missed, more than 7 days after its due time.
    event DrillMissed(
        bytes32 indexed planId,
        bytes32 indexed policyId,
        bytes32 indexed ownerId,
        bytes32 clauseId,
        uint32 index,
        uint64 dueAt,
        address markedBy
    );

    /// @notice The plan id is taken, or zero.
    error PlanExists(bytes32 planId);
    /// @notice No plan has this id.
    error PlanUnknown(bytes32 planId);
    /// @notice The caller's department does not own this plan.
    error NotPlanOwner(bytes32 planId, bytes32 callerId);
    /// @notice The drill kind is neither 1 (full) nor 2 (half).
    error InvalidDrillKind(uint8 kind);
    /// @notice The seats do not fit the kind: there must be seats, a full drill requires every
    /// seat, and a half drill at least half of them and at most all.
    error InvalidSeats(uint8 kind, uint16 totalSeats, uint16 requiredSeats);
    /// @notice Interval and count must be positive, the first due time in the future, and
    /// the last due time must fit in 64 bits.
    error InvalidPlan(uint64 firstDueAt, uint64 interval, uint32 count);
    /// @notice The drill index is past the plan's last drill.
    error DrillOutOfRange(bytes32 planId, uint32 index, uint32 count);
    /// @notice The drill was already held (status 1) or marked missed (status 2).
    error DrillClosed(bytes32 planId, uint32 index, uint8 status);
    /// @notice The drill is due more than 7 days from now and cannot be recorded yet.
    error TooEarly(bytes32 planId, uint32 index, uint64 dueAt);
    /// @notice The drill is not yet more than 7 days past its due time.
    error DrillNotOverdue(bytes32 planId, uint32 index, uint64 dueAt);
    /// @notice More seats were reported present than the plan has.
    error SeatsExceedPlan(bytes32 planId, uint16 seatsPresent, uint16 totalSeats);
    /// @notice A drill record needs the digest of its off-chain record.
    error InvalidRecordDigest(bytes32 planId, uint32 index);

    /// @notice Plan `r.count` drills owned by the caller's department under a policy clause
    /// in force: `r.kind` 1 (full, `requiredSeats == totalSeats`) or 2 (half,
    /// `2 * requiredSeats >= totalSeats`), the first due at `r.firstDueAt` (in the future),
    /// then one every `r.interval` seconds.
    function planDrills(DrillPlanRequest calldata r) external;

    /// @notice Record drill `r.index` of plan `r.planId` as held, with the seats present, the
    /// business systems online and the digest of the drill record. Only the owner, no
    /// earlier than 7 days before the drill's due time, while the plan's clause is in force.
    function recordDrill(DrillRecordRequest calldata r) external;

    /// @notice Mark drill `index` missed once more than 7 days have passed since its due time
    /// and it was not recorded. Anyone, while the plan's clause is in force.
    function markDrillMissed(bytes32 planId, uint32 index) external;

    /// @notice The due time of drill `index`.
    function dueAt(bytes32 planId, uint32 index) external view returns (uint64);

    /// @notice 0 open, 1 held, 2 missed.
    function drillStatus(bytes32 planId, uint32 index) external view returns (uint8);

    /// @notice The terms of a plan; reverts PlanUnknown if there is none.
    function planOf(bytes32 planId) external view returns (DrillPlan memory);
}
