// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IDirectory} from "./interfaces/IDirectory.sol";
import {DEPARTMENT_ROLE, DepartmentUnknown} from "./interfaces/Common.sol";

/// @title Directory of departments and roles.
/// @notice DEFAULT_ADMIN_ROLE is the ledger administrator. ISSUER anchors policies,
/// DEPARTMENT acts for a department; further roles (LEADER, OPERATOR, STATISTICIAN,
/// SCORER, AUDITOR) are granted here and checked by the mechanisms that need them. The
/// role ids are declared once, in interfaces/Common.sol.
contract Directory is AccessControl, IDirectory {
    mapping(bytes32 departmentId => address account) private _accounts;
    mapping(address account => bytes32 departmentId) private _departments;
    mapping(bytes32 departmentId => string name) public nameOf;
    bytes32[] private _ids;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
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
}
