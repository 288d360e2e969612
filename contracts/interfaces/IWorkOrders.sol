// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title The 12345 hotline's six-stage closed loop.
/// @notice A hotline operator accepts a citizen's request under a policy clause in force,
/// with the SLA of its category, and transfers it to a department (again, while nobody has
/// handled it yet). Only that department handles it and gives feedback; the operator then
/// completes it and records the citizen's satisfaction. An order belongs to the operator
/// department that accepted it: only that department transfers, completes and evaluates it
/// (another operator department gets NotOwner("order", orderId, owner, caller), declared in
/// IDirectoryManaged). A category belongs to whoever set it first: the ledger admin may
/// change any category, an OPERATOR department only one it set first (else
/// NotOwner("category", category, owner, caller), with owner zero for the admin's). An order past its SLA and not yet
/// completed can be marked overdue by anyone; it can still be completed, late.
/// Only a salted digest of the case file goes on chain, never personal data.
interface IWorkOrders {
    /// @notice The stages in the order they must happen. `Transferred` may repeat.
    enum Stage {
        None,
        Accepted,
        Transferred,
        Handled,
        FeedbackGiven,
        Completed,
        Evaluated
    }

    /// @notice A request to accept under a policy clause in force: its id, its category (which
    /// sets its SLA) and `caseDigest`, a salted digest of the case file.
    struct OrderRequest {
        bytes32 orderId;
        bytes32 category;
        bytes32 policyId;
        bytes32 clauseId;
        bytes32 caseDigest;
    }

    /// @notice One work order as stored; `handlerId` is zero until the first transfer and
    /// `score` zero until the evaluation.
    struct Order {
        bytes32 policyId;
        bytes32 clauseId;
        bytes32 category;
        bytes32 handlerId;
        uint64 slaDeadline;
        Stage stage;
        bool overdue;
        bool late;
        uint8 score;
    }

    /// @notice The SLA of a request category was set (or changed, for orders accepted later).
    event CategorySet(bytes32 indexed category, uint64 slaSeconds);
    /// @notice An operator accepted a request (受理); it must be completed by `slaDeadline`.
    event OrderAccepted(
        bytes32 indexed orderId,
        bytes32 indexed policyId,
        bytes32 category,
        bytes32 clauseId,
        bytes32 caseDigest,
        uint64 slaDeadline,
        address operator
    );
    /// @notice An operator transferred the order (转办) to `handlerId`; `previousHandlerId` is
    /// zero on the first transfer.
    event OrderTransferred(
        bytes32 indexed orderId,
        bytes32 indexed policyId,
        bytes32 indexed handlerId,
        bytes32 clauseId,
        bytes32 previousHandlerId
    );
    /// @notice The department the order was transferred to handled it (办理).
    event OrderHandled(
        bytes32 indexed orderId, bytes32 indexed policyId, bytes32 indexed handlerId, bytes32 clauseId
    );
    /// @notice The handling department gave its feedback (反馈), as a digest.
    event OrderFeedbackGiven(
        bytes32 indexed orderId,
        bytes32 indexed policyId,
        bytes32 indexed handlerId,
        bytes32 clauseId,
        bytes32 feedbackDigest
    );
    /// @notice An operator completed the order (办结); `late` when after its SLA deadline.
    event OrderCompleted(
        bytes32 indexed orderId,
        bytes32 indexed policyId,
        bytes32 indexed handlerId,
        bytes32 clauseId,
        uint64 slaDeadline,
        bool late
    );
    /// @notice An operator recorded the citizen's satisfaction (评价), 1 (worst) to 5 (best).
    event OrderEvaluated(
        bytes32 indexed orderId,
        bytes32 indexed policyId,
        bytes32 indexed handlerId,
        bytes32 clauseId,
        uint8 score
    );
    /// @notice The order's SLA passed before it was completed; `handlerId` is the department
    /// it was last transferred to, zero if none.
    event OrderOverdue(
        bytes32 indexed orderId,
        bytes32 indexed policyId,
        bytes32 indexed handlerId,
        bytes32 clauseId,
        uint64 slaDeadline,
        address markedBy
    );

    /// @notice A zero category, or an SLA of zero or above 2^32-1 seconds.
    error InvalidCategory(bytes32 category, uint64 slaSeconds);
    /// @notice No SLA was set for this category.
    error CategoryUnknown(bytes32 category);
    /// @notice A zero order id or a zero case digest was given.
    error InvalidOrder(bytes32 orderId);
    /// @notice The order id is taken.
    error OrderExists(bytes32 orderId);
    /// @notice No order has this id.
    error OrderUnknown(bytes32 orderId);
    /// @notice The step `attempted` does not follow the order's `current` stage.
    error StageOutOfOrder(bytes32 orderId, Stage current, Stage attempted);
    /// @notice The handler is not a registered, active department, or already holds the order.
    error InvalidHandler(bytes32 orderId, bytes32 handlerId);
    /// @notice Only the department the order was last transferred to may act on it.
    error WrongHandler(bytes32 orderId, bytes32 expected, bytes32 caller);
    /// @notice A zero feedback digest was given.
    error InvalidFeedback(bytes32 orderId);
    /// @notice Satisfaction scores run from 1 to 5.
    error InvalidScore(bytes32 orderId, uint8 score);
    /// @notice The order was already evaluated; an evaluation is never replaced.
    error AlreadyEvaluated(bytes32 orderId);
    /// @notice The order was completed, so it cannot become overdue.
    error AlreadyCompleted(bytes32 orderId);
    /// @notice The order was already marked overdue.
    error AlreadyOverdue(bytes32 orderId);
    /// @notice The order's SLA deadline has not passed yet.
    error NotYetOverdue(bytes32 orderId, uint64 slaDeadline);

    /// @notice Set the SLA of a request category, in seconds. ADMIN, or an OPERATOR department;
    /// the first setter owns the category, and a department changes only a category it owns.
    function setCategory(bytes32 category, uint64 slaSeconds) external;

    /// @notice Accept a request under a policy clause in force; its SLA deadline is now plus
    /// the category's SLA. `r.caseDigest` is a salted digest of the case file. Only OPERATOR.
    function accept(OrderRequest calldata r) external;

    /// @notice Transfer an accepted order to a department, or re-transfer it before anyone has
    /// handled it. Only the operator department that accepted it.
    function transfer(bytes32 orderId, bytes32 handlerId) external;

    /// @notice Handle a transferred order. Only the department it was transferred to.
    function handle(bytes32 orderId) external;

    /// @notice Give feedback on a handled order, as a digest. Only the handling department.
    function feedback(bytes32 orderId, bytes32 feedbackDigest) external;

    /// @notice Complete an order after the department's feedback. Only the operator department
    /// that accepted it.
    function complete(bytes32 orderId) external;

    /// @notice Record the citizen's satisfaction (1..5) with a completed order, once. Only the
    /// operator department that accepted it.
    function evaluate(bytes32 orderId, uint8 score) external;

    /// @notice Mark an order overdue once its SLA deadline has passed without completion. Anyone,
    /// once.
    function markOverdue(bytes32 orderId) external;

    /// @notice The SLA of a category in seconds; reverts with CategoryUnknown if none was set.
    function slaOf(bytes32 category) external view returns (uint64);

    /// @notice One order; reverts with OrderUnknown if none has this id.
    function orderOf(bytes32 orderId) external view returns (Order memory);

    /// @notice The operator department that accepted an order (and owns its transfer, completion
    /// and evaluation); reverts with OrderUnknown if none has this id.
    function operatorOf(bytes32 orderId) external view returns (bytes32);

    /// @notice The department that first set a category (zero if the ledger admin did);
    /// reverts with CategoryUnknown if none was set.
    function categoryOwnerOf(bytes32 category) external view returns (bytes32);
}
