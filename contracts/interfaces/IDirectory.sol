// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title The department directory every govledger mechanism consults.
/// @notice Holds the departments of one government (id, name, account) and the
/// roles that decide who may act. Every other contract asks it.
interface IDirectory {
    /// @notice A department was registered and bound to its signing account.
    event DepartmentRegistered(bytes32 indexed departmentId, address indexed account, string name);

    /// @notice The id is already taken by another department.
    error DepartmentExists(bytes32 departmentId);
    /// @notice The account already acts for a department.
    error AccountAlreadyBound(address account, bytes32 departmentId);
    /// @notice The account acts for no department.
    error NotADepartment(address account);
    /// @notice A zero id or the zero address was given.
    error InvalidDepartment(bytes32 departmentId, address account);

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
}
