// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

// The roles and errors that more than one govledger contract uses, declared once.
//
// Roles are granted in the Directory (OpenZeppelin AccessControl) and checked by the
// contracts that need them, through DirectoryManaged.onlyRole. The ledger's Python side
// derives the same ids (`ledger.mechanisms.base.ROLES`).

// The ledger administrator: AccessControl's DEFAULT_ADMIN_ROLE.
bytes32 constant ADMIN_ROLE = 0x00;
// Anchors and proposes policies.
bytes32 constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
// Acts for a department; granted when the department is registered.
bytes32 constant DEPARTMENT_ROLE = keccak256("DEPARTMENT_ROLE");
// Approves city-level policies (two distinct leaders anchor one).
bytes32 constant LEADER_ROLE = keccak256("LEADER_ROLE");
// Runs the 12345 hotline: accepts, transfers, completes and evaluates work orders.
bytes32 constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
// Attests statistics.
bytes32 constant STATISTICIAN_ROLE = keccak256("STATISTICIAN_ROLE");
// Publishes maturity scores.
bytes32 constant SCORER_ROLE = keccak256("SCORER_ROLE");
// Raises and reviews findings.
bytes32 constant AUDITOR_ROLE = keccak256("AUDITOR_ROLE");
// Keeps the jurisdiction tree: creates, renames and moves jurisdictions, places departments
// in them and sets their staged targets. Granted to the ledger administrator at deployment.
bytes32 constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

/// @notice No department has this id.
error DepartmentUnknown(bytes32 departmentId);
