// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IDirectory} from "../interfaces/IDirectory.sol";
import {IPolicyRegistry} from "../interfaces/IPolicyRegistry.sol";
import {IDirectoryManaged} from "../interfaces/IDirectoryManaged.sol";

/// @title The access checks every govledger mechanism inherits.
/// @notice Like OpenZeppelin's AccessManaged, with the Directory as the authority: the
/// `onlyRole` modifier asks the Directory whether the caller holds a role, the caller's
/// department comes from the Directory, and a clause a step executes must be in force in
/// the PolicyRegistry. Each check reverts with its one error, declared in IDirectoryManaged.
abstract contract DirectoryManaged is IDirectoryManaged {
    /// @inheritdoc IDirectoryManaged
    IDirectory public immutable directory;
    /// @inheritdoc IDirectoryManaged
    IPolicyRegistry public immutable registry;

    constructor(IDirectory directory_, IPolicyRegistry registry_) {
        directory = directory_;
        registry = registry_;
    }

    /// @dev Only a caller that holds `role` in the Directory; else Unauthorized(caller, role).
    modifier onlyRole(bytes32 role) {
        _checkRole(role, msg.sender);
        _;
    }

    /// @dev Reverts with Unauthorized(account, role) unless `account` holds `role`.
    function _checkRole(bytes32 role, address account) internal view {
        if (!directory.hasRole(role, account)) revert Unauthorized(account, role);
    }

    /// @dev The department the caller acts for; the Directory reverts with NotADepartment if
    /// none, or if its DEPARTMENT_ROLE was revoked.
    function _callerDepartment() internal view returns (bytes32) {
        return directory.departmentOf(msg.sender);
    }

    /// @dev Reverts with NotOwner(subject, subjectId, owner, caller) unless the caller's
    /// department is `owner`; returns the caller's department.
    function _requireOwner(bytes32 subject, bytes32 subjectId, bytes32 owner) internal view returns (bytes32 caller) {
        caller = _callerDepartment();
        if (caller != owner) revert NotOwner(subject, subjectId, owner, caller);
    }

    /// @dev Reverts with ClauseNotInForce unless the clause belongs to the latest version of a
    /// live policy already effective.
    function _requireInForce(bytes32 policyId, bytes32 clauseId) internal view {
        if (!registry.isClauseInForce(policyId, clauseId)) revert ClauseNotInForce(policyId, clauseId);
    }
}
