// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IDirectory} from "./IDirectory.sol";
import {IPolicyRegistry} from "./IPolicyRegistry.sol";

/// @title A contract whose access rules come from the Directory.
/// @notice In the shape of OpenZeppelin's IAccessManaged, with the Directory as the
/// authority: a caller acts by the roles and the department the Directory gives it, and
/// a step that executes a policy clause needs that clause in force in the PolicyRegistry.
/// Every govledger contract but the Directory itself is one.
interface IDirectoryManaged {
    /// @notice The caller lacks the role needed.
    error Unauthorized(address account, bytes32 neededRole);
    /// @notice The clause is not part of the latest version of a live, effective policy.
    error ClauseNotInForce(bytes32 policyId, bytes32 clauseId);
    /// @notice The `subject` (what kind of thing: "order", "category", "statistic") with id
    /// `subjectId` belongs to department `ownerDepartment` (zero: the ledger administrator),
    /// and department `callerDepartment` may not act on it.
    error NotOwner(bytes32 subject, bytes32 subjectId, bytes32 ownerDepartment, bytes32 callerDepartment);

    /// @notice The Directory consulted for roles and departments.
    function directory() external view returns (IDirectory);

    /// @notice The PolicyRegistry consulted for clauses in force (the registry itself
    /// answers with its own address).
    function registry() external view returns (IPolicyRegistry);
}
