// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IDirectory} from "./interfaces/IDirectory.sol";
import {DEPARTMENT_ROLE, REGISTRAR_ROLE, DepartmentUnknown} from "./interfaces/Common.sol";

/// @title Directory of departments, roles and jurisdictions.
/// @notice DEFAULT_ADMIN_ROLE is the ledger administrator. ISSUER anchors policies,
/// DEPARTMENT acts for a department; further roles (LEADER, OPERATOR, STATISTICIAN,
/// SCORER, AUDITOR, REGISTRAR) are granted here and checked by the mechanisms that need
/// them. The role ids are declared once, in interfaces/Common.sol. REGISTRAR keeps the
/// jurisdiction tree (see IDirectory); the administrator holds it from deployment.
contract Directory is AccessControl, IDirectory {
    /// @dev One node of the jurisdiction tree; `tier` is 0 for an id that names none.
    struct Jurisdiction {
        bytes32 parent;
        uint8 tier;
        string name;
    }

    /// @notice The deepest tier (grid); tiers run 1 (province) to 6.
    uint8 public constant MAX_TIER = 6;
    /// @notice The highest maturity level a milestone can name.
    uint8 public constant MAX_LEVEL = 5;
    /// @notice The default path's first milestone: level 4 by 2025-12-31 23:59:59 UTC.
    uint64 public constant DEFAULT_L4_BY = 1767225599;
    /// @notice The default path's second milestone: level 5 by 2035-12-31 23:59:59 UTC.
    uint64 public constant DEFAULT_L5_BY = 2082758399;

    mapping(bytes32 departmentId => address account) private _accounts;
    mapping(address account => bytes32 departmentId) private _departments;
    mapping(bytes32 departmentId => string name) public nameOf;
    bytes32[] private _ids;

    mapping(bytes32 jurisdictionId => Jurisdiction node) private _jurisdictions;
    bytes32[] private _jurisdictionIds;
    mapping(bytes32 departmentId => bytes32 jurisdictionId) private _placement;
    mapping(bytes32 jurisdictionId => uint64[] times) private _milestoneTimes;
    mapping(bytes32 jurisdictionId => uint8[] levels) private _milestoneLevels;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, admin);
    }

    /// @inheritdoc IDirectory
    function registerDepartment(bytes32 departmentId, string calldata name, address account)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (departmentId == bytes32(0) || account == address(0)) {
            revert InvalidDepartment(departmentId, account);
        }
        if (_accounts[departmentId] != address(0)) revert DepartmentExists(departmentId);
        bytes32 bound = _departments[account];
        if (bound != bytes32(0)) revert AccountAlreadyBound(account, bound);

        _accounts[departmentId] = account;
        _departments[account] = departmentId;
        nameOf[departmentId] = name;
        _ids.push(departmentId);
        _grantRole(DEPARTMENT_ROLE, account);
        emit DepartmentRegistered(departmentId, account, name);
    }

    /// @inheritdoc IDirectory
    function departmentOf(address account) external view returns (bytes32) {
        bytes32 id = _departments[account];
        if (id == bytes32(0) || !hasRole(DEPARTMENT_ROLE, account)) revert NotADepartment(account);
        return id;
    }

    /// @inheritdoc IDirectory
    function accountOf(bytes32 departmentId) external view returns (address) {
        address account = _accounts[departmentId];
        if (account == address(0)) revert DepartmentUnknown(departmentId);
        return account;
    }

    /// @inheritdoc IDirectory
    function isDepartment(bytes32 departmentId) external view returns (bool) {
        return _accounts[departmentId] != address(0);
    }

    /// @notice All department ids, in registration order.
    function departmentIds() external view returns (bytes32[] memory) {
        return _ids;
    }

    /// @inheritdoc IDirectory
    function hasRole(bytes32 role, address account)
        public
        view
        override(AccessControl, IDirectory)
        returns (bool)
    {
        return super.hasRole(role, account);
    }

    // -- jurisdictions ---------------------------------------------------------------

    /// @inheritdoc IDirectory
    function createJurisdiction(bytes32 id, bytes32 parentId, uint8 tier, string calldata name)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        if (id == bytes32(0)) revert InvalidJurisdiction(id);
        if (_jurisdictions[id].tier != 0) revert JurisdictionExists(id);
        uint8 parentTier = parentId == bytes32(0) ? 0 : _known(parentId).tier;
        if (tier == 0 || tier > MAX_TIER || tier <= parentTier) revert InvalidTier(id, tier, parentTier);

        _jurisdictions[id] = Jurisdiction({parent: parentId, tier: tier, name: name});
        _jurisdictionIds.push(id);
        emit JurisdictionCreated(id, parentId, tier, name);
    }

    /// @inheritdoc IDirectory
    function renameJurisdiction(bytes32 id, string calldata name) external onlyRole(REGISTRAR_ROLE) {
        _known(id).name = name;
        emit JurisdictionRenamed(id, name);
    }

    /// @inheritdoc IDirectory
    function moveJurisdiction(bytes32 id, bytes32 newParentId) external onlyRole(REGISTRAR_ROLE) {
        Jurisdiction storage node = _known(id);
        uint8 parentTier = 0;
        if (newParentId != bytes32(0)) {
            parentTier = _known(newParentId).tier;
            // Walk up from the new parent: meeting `id` means it is `id` or below it. The walk
            // is at most MAX_TIER long, since tiers strictly increase down the tree.
            for (bytes32 at = newParentId; at != bytes32(0); at = _jurisdictions[at].parent) {
                if (at == id) revert JurisdictionCycle(id, newParentId);
            }
        }
        if (node.tier <= parentTier) revert InvalidTier(id, node.tier, parentTier);

        bytes32 fromParentId = node.parent;
        node.parent = newParentId;
        emit JurisdictionMoved(id, fromParentId, newParentId);
    }

    /// @inheritdoc IDirectory
    function placeDepartment(bytes32 departmentId, bytes32 jurisdictionId) external onlyRole(REGISTRAR_ROLE) {
        _checkPlacement(departmentId, jurisdictionId);
        bytes32 current = _placement[departmentId];
        if (current != bytes32(0)) revert DepartmentAlreadyPlaced(departmentId, current);
        _place(departmentId, current, jurisdictionId);
    }

    /// @inheritdoc IDirectory
    function moveDepartment(bytes32 departmentId, bytes32 jurisdictionId) external onlyRole(REGISTRAR_ROLE) {
        _checkPlacement(departmentId, jurisdictionId);
        bytes32 current = _placement[departmentId];
        if (current == bytes32(0)) revert DepartmentNotPlaced(departmentId);
        if (current == jurisdictionId) revert DepartmentAlreadyPlaced(departmentId, current);
        _place(departmentId, current, jurisdictionId);
    }

    /// @inheritdoc IDirectory
    function setMilestones(bytes32 id, uint64[] calldata times, uint8[] calldata levels)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        _known(id);
        uint256 n = times.length;
        if (levels.length != n) revert InvalidMilestones(id);
        for (uint256 i = 0; i < n; ++i) {
            if (levels[i] == 0 || levels[i] > MAX_LEVEL) revert InvalidMilestones(id);
            if (i > 0 && (times[i] <= times[i - 1] || levels[i] < levels[i - 1])) revert InvalidMilestones(id);
        }

        _milestoneTimes[id] = times;
        _milestoneLevels[id] = levels;
        emit MilestonesSet(id, times, levels);
    }

    /// @inheritdoc IDirectory
    function jurisdictionOf(bytes32 departmentId) external view returns (bytes32) {
        return _placement[departmentId];
    }

    /// @inheritdoc IDirectory
    function jurisdiction(bytes32 id) external view returns (bytes32 parent, uint8 tier, string memory name) {
        Jurisdiction storage node = _known(id);
        return (node.parent, node.tier, node.name);
    }

    /// @inheritdoc IDirectory
    function jurisdictionIds() external view returns (bytes32[] memory) {
        return _jurisdictionIds;
    }

    /// @inheritdoc IDirectory
    function milestonesOf(bytes32 id) external view returns (uint64[] memory times, uint8[] memory levels) {
        _known(id);
        times = _milestoneTimes[id];
        levels = _milestoneLevels[id];
        if (times.length == 0) {
            times = new uint64[](2);
            levels = new uint8[](2);
            (times[0], levels[0], times[1], levels[1]) = (DEFAULT_L4_BY, 4, DEFAULT_L5_BY, 5);
        }
    }

    /// @notice The whole tree in one call: every jurisdiction in creation order with its
    /// parent, tier and name.
    function jurisdictionTree()
        external
        view
        returns (bytes32[] memory ids, bytes32[] memory parents, uint8[] memory tiers, string[] memory names)
    {
        ids = _jurisdictionIds;
        uint256 n = ids.length;
        parents = new bytes32[](n);
        tiers = new uint8[](n);
        names = new string[](n);
        for (uint256 i = 0; i < n; ++i) {
            Jurisdiction storage node = _jurisdictions[ids[i]];
            (parents[i], tiers[i], names[i]) = (node.parent, node.tier, node.name);
        }
    }

    /// @notice Every department in registration order with the jurisdiction it belongs to
    /// (zero where it was never placed).
    function placements() external view returns (bytes32[] memory departmentIds_, bytes32[] memory jurisdictionIds_) {
        departmentIds_ = _ids;
        uint256 n = departmentIds_.length;
        jurisdictionIds_ = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            jurisdictionIds_[i] = _placement[departmentIds_[i]];
        }
    }

    /// @dev The jurisdiction `id`; reverts with JurisdictionUnknown if none.
    function _known(bytes32 id) private view returns (Jurisdiction storage node) {
        node = _jurisdictions[id];
        if (node.tier == 0) revert JurisdictionUnknown(id);
    }

    /// @dev Reverts unless the department and the jurisdiction both exist.
    function _checkPlacement(bytes32 departmentId, bytes32 jurisdictionId) private view {
        if (_accounts[departmentId] == address(0)) revert DepartmentUnknown(departmentId);
        _known(jurisdictionId);
    }

    /// @dev Write the placement and emit DepartmentPlaced.
    function _place(bytes32 departmentId, bytes32 fromJurisdictionId, bytes32 toJurisdictionId) private {
        _placement[departmentId] = toJurisdictionId;
        emit DepartmentPlaced(departmentId, fromJurisdictionId, toJurisdictionId);
    }
}
