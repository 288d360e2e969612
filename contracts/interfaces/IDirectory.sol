// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title The department directory every govledger mechanism consults.
/// @notice Holds the departments of one government (id, name, account), the roles that
/// decide who may act, and the tree of jurisdictions the departments belong to. Every other
/// contract asks it.
/// @dev Jurisdictions form a tree of tiers: 1 province, 2 city, 3 district, 4 street (街道),
/// 5 community (社区), 6 grid (网格). A child's tier is strictly greater than its parent's; a
/// root (parent zero) may have any tier. So no path from a node to its root is longer than
/// six, and the tree never has a cycle. A placed department belongs to exactly one
/// jurisdiction. Each jurisdiction carries staged targets, `(time, level)` milestones, by
/// default the national path: level 4 by 2025-12-31 23:59:59 UTC, level 5 by 2035-12-31
/// 23:59:59 UTC. Every write on the tree needs REGISTRAR_ROLE (Common.sol).
interface IDirectory {
    /// @notice A department was registered and bound to its signing account.
    event DepartmentRegistered(bytes32 indexed departmentId, address indexed account, string name);
    /// @notice A jurisdiction was created under `parentId` (zero: a root).
    event JurisdictionCreated(bytes32 indexed jurisdictionId, bytes32 indexed parentId, uint8 tier, string name);
    /// @notice A jurisdiction got a new name.
    event JurisdictionRenamed(bytes32 indexed jurisdictionId, string name);
    /// @notice A jurisdiction, with its whole subtree, moved from one parent to another (zero: root).
    event JurisdictionMoved(bytes32 indexed jurisdictionId, bytes32 indexed fromParentId, bytes32 indexed toParentId);
    /// @notice A department was placed in a jurisdiction (`fromJurisdictionId` zero on its first
    /// placement) and from now on belongs to `toJurisdictionId` only.
    event DepartmentPlaced(
        bytes32 indexed departmentId, bytes32 indexed fromJurisdictionId, bytes32 indexed toJurisdictionId
    );
    /// @notice A jurisdiction's staged targets were set; empty lists restore the default path.
    event MilestonesSet(bytes32 indexed jurisdictionId, uint64[] times, uint8[] levels);

    /// @notice The id is already taken by another department.
    error DepartmentExists(bytes32 departmentId);
    /// @notice The account already acts for a department.
    error AccountAlreadyBound(address account, bytes32 departmentId);
    /// @notice The account acts for no department.
    error NotADepartment(address account);
    /// @notice A zero id or the zero address was given.
    error InvalidDepartment(bytes32 departmentId, address account);
    /// @notice The id is already taken by another jurisdiction.
    error JurisdictionExists(bytes32 jurisdictionId);
    /// @notice No jurisdiction has this id.
    error JurisdictionUnknown(bytes32 jurisdictionId);
    /// @notice The zero id names no jurisdiction (it stands for "no parent").
    error InvalidJurisdiction(bytes32 jurisdictionId);
    /// @notice Moving the jurisdiction under `newParentId`, itself or one of its descendants,
    /// would make a cycle.
    error JurisdictionCycle(bytes32 jurisdictionId, bytes32 newParentId);
    /// @notice A tier outside 1..6, or not strictly greater than its parent's tier
    /// (`parentTier` is 0 for a root).
    error InvalidTier(bytes32 jurisdictionId, uint8 tier, uint8 parentTier);
    /// @notice The department already belongs to `jurisdictionId` (placing it again, or
    /// moving it where it already is).
    error DepartmentAlreadyPlaced(bytes32 departmentId, bytes32 jurisdictionId);
    /// @notice The department belongs to no jurisdiction yet: place it before moving it.
    error DepartmentNotPlaced(bytes32 departmentId);
    /// @notice The milestones are not `(time, level)` pairs with strictly increasing times and
    /// non-decreasing levels in 1..5.
    error InvalidMilestones(bytes32 jurisdictionId);

    /// @notice Register a department and grant its account DEPARTMENT_ROLE. Only ADMIN.
    function registerDepartment(bytes32 departmentId, string calldata name, address account) external;

    /// @notice The department an account acts for; reverts with NotADepartment if none, or if
    /// its DEPARTMENT_ROLE was revoked (which suspends the department everywhere).
    function departmentOf(address account) external view returns (bytes32);

    /// @notice The account of a department; reverts with DepartmentUnknown (Common.sol) if none.
    function accountOf(bytes32 departmentId) external view returns (address);

    /// @notice Whether a department with this id exists.
    function isDepartment(bytes32 departmentId) external view returns (bool);

    /// @notice Whether `account` holds `role` (OpenZeppelin AccessControl).
    function hasRole(bytes32 role, address account) external view returns (bool);

    /// @notice Create jurisdiction `id` of `tier` under `parentId` (zero for a root). Only
    /// REGISTRAR. Reverts with InvalidJurisdiction for a zero id, JurisdictionExists,
    /// JurisdictionUnknown for an unknown parent and InvalidTier.
    function createJurisdiction(bytes32 id, bytes32 parentId, uint8 tier, string calldata name) external;

    /// @notice Rename jurisdiction `id`. Only REGISTRAR.
    function renameJurisdiction(bytes32 id, string calldata name) external;

    /// @notice Move jurisdiction `id` and its subtree under `newParentId` (zero: make it a
    /// root). Only REGISTRAR. Reverts with JurisdictionCycle under itself or a descendant,
    /// and with InvalidTier unless its tier is greater than the new parent's.
    function moveJurisdiction(bytes32 id, bytes32 newParentId) external;

    /// @notice Place a department that belongs to no jurisdiction yet. Only REGISTRAR.
    /// Reverts with DepartmentUnknown (Common.sol), JurisdictionUnknown, or
    /// DepartmentAlreadyPlaced when it is placed already.
    function placeDepartment(bytes32 departmentId, bytes32 jurisdictionId) external;

    /// @notice Move a placed department to another jurisdiction. Only REGISTRAR. Reverts with
    /// DepartmentNotPlaced if it was never placed, DepartmentAlreadyPlaced if it is there.
    function moveDepartment(bytes32 departmentId, bytes32 jurisdictionId) external;

    /// @notice Set jurisdiction `id`'s staged targets: level `levels[i]` by time `times[i]`
    /// (seconds since the epoch, UTC). Only REGISTRAR. Empty lists restore the default path.
    function setMilestones(bytes32 id, uint64[] calldata times, uint8[] calldata levels) external;

    /// @notice The jurisdiction a department belongs to; zero if it was never placed.
    function jurisdictionOf(bytes32 departmentId) external view returns (bytes32);

    /// @notice A jurisdiction's parent (zero for a root), tier and name; reverts with
    /// JurisdictionUnknown if none.
    function jurisdiction(bytes32 id) external view returns (bytes32 parent, uint8 tier, string memory name);

    /// @notice All jurisdiction ids, in creation order.
    function jurisdictionIds() external view returns (bytes32[] memory);

    /// @notice A jurisdiction's milestones, the default path unless set; reverts with
    /// JurisdictionUnknown if none.
    function milestonesOf(bytes32 id) external view returns (uint64[] memory times, uint8[] memory levels);
}
