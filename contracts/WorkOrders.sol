// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {DirectoryManaged} from "./access/DirectoryManaged.sol";
import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IWorkOrders} from "./interfaces/IWorkOrders.sol";
import {ADMIN_ROLE, DEPARTMENT_ROLE, OPERATOR_ROLE} from "./interfaces/Common.sol";

/// @title 12345 hotline work orders: accept, transfer, handle, feedback, complete, evaluate.
/// @notice OPERATOR accepts; the operator department that accepted an order transfers,
/// completes and evaluates it; the department an order was last transferred to handles it
/// and gives feedback. ADMIN, or an OPERATOR department, sets the category SLAs; a category
/// belongs to whoever set it first. Every order cites a policy clause in force when accepted,
/// and every order event names it.
contract WorkOrders is DirectoryManaged, IWorkOrders {
    /// @notice The longest SLA, so that no deadline overflows 64 bits.
    uint64 public constant MAX_SLA_SECONDS = type(uint32).max;

    mapping(bytes32 category => uint64 slaSeconds) private _sla;
    mapping(bytes32 orderId => Order) private _orders;
    /// @dev The operator department that accepted each order.
    mapping(bytes32 orderId => bytes32 operatorId) private _operators;
    /// @dev The department that first set each category; zero when the ledger admin did.
    mapping(bytes32 category => bytes32 ownerId) private _categoryOwners;

    bytes32 private constant ORDER = "order";
    bytes32 private constant CATEGORY = "category";

    constructor(IDirectory directory_, IPolicyRegistry registry_) DirectoryManaged(directory_, registry_) {}

    /// @inheritdoc IWorkOrders
    function setCategory(bytes32 category, uint64 slaSeconds) external {
        bool byAdmin = directory.hasRole(ADMIN_ROLE, msg.sender);
        if (!byAdmin) _checkRole(OPERATOR_ROLE, msg.sender);
        if (category == bytes32(0) || slaSeconds == 0 || slaSeconds > MAX_SLA_SECONDS) {
            revert InvalidCategory(category, slaSeconds);
        }
        bytes32 setterId = byAdmin ? bytes32(0) : _callerDepartment(); // zero: the ledger admin
        bool isNew = _sla[category] == 0;
        bytes32 ownerId = _categoryOwners[category];
        if (!isNew && setterId != bytes32(0) && setterId != ownerId) {
            revert NotOwner(CATEGORY, category, ownerId, setterId);
        }

        if (isNew) _categoryOwners[category] = setterId;
        _sla[category] = slaSeconds;
        emit CategorySet(category, slaSeconds);
    }

    /// @inheritdoc IWorkOrders
    function accept(OrderRequest calldata r) external onlyRole(OPERATOR_ROLE) {
        bytes32 orderId = r.orderId;
        if (orderId == bytes32(0) || r.caseDigest == bytes32(0)) revert InvalidOrder(orderId);
        if (_orders[orderId].stage != Stage.None) revert OrderExists(orderId);
        uint64 sla = _sla[r.category];
        if (sla == 0) revert CategoryUnknown(r.category);
        _requireInForce(r.policyId, r.clauseId);
        uint64 slaDeadline = uint64(block.timestamp) + sla;
        bytes32 operatorId = _callerDepartment();

        _orders[orderId] = Order({
            policyId: r.policyId,
            clauseId: r.clauseId,
            category: r.category,
            handlerId: bytes32(0),
            slaDeadline: slaDeadline,
            stage: Stage.Accepted,
            overdue: false,
            late: false,
            score: 0
        });
        _operators[orderId] = operatorId;
        emit OrderAccepted(
            orderId, r.policyId, r.category, r.clauseId, r.caseDigest, slaDeadline, msg.sender
        );
    }

    /// @inheritdoc IWorkOrders
    function transfer(bytes32 orderId, bytes32 handlerId) external onlyRole(OPERATOR_ROLE) {
        Order storage order = _operatorStep(orderId);
        if (order.stage != Stage.Accepted && order.stage != Stage.Transferred) {
            revert StageOutOfOrder(orderId, order.stage, Stage.Transferred);
        }
        bytes32 previousHandlerId = order.handlerId;
        if (handlerId == previousHandlerId || !_isActiveDepartment(handlerId)) {
            revert InvalidHandler(orderId, handlerId);
        }

        order.handlerId = handlerId;
        order.stage = Stage.Transferred;
        emit OrderTransferred(orderId, order.policyId, handlerId, order.clauseId, previousHandlerId);
    }

    /// @inheritdoc IWorkOrders
    function handle(bytes32 orderId) external {
        Order storage order = _handlerStep(orderId, Stage.Transferred, Stage.Handled);

        order.stage = Stage.Handled;
        emit OrderHandled(orderId, order.policyId, order.handlerId, order.clauseId);
    }

    /// @inheritdoc IWorkOrders
    function feedback(bytes32 orderId, bytes32 feedbackDigest) external {
        Order storage order = _handlerStep(orderId, Stage.Handled, Stage.FeedbackGiven);
        if (feedbackDigest == bytes32(0)) revert InvalidFeedback(orderId);

        order.stage = Stage.FeedbackGiven;
        emit OrderFeedbackGiven(orderId, order.policyId, order.handlerId, order.clauseId, feedbackDigest);
    }

    /// @inheritdoc IWorkOrders
    function complete(bytes32 orderId) external onlyRole(OPERATOR_ROLE) {
        Order storage order = _operatorStep(orderId);
        _expectStage(orderId, order, Stage.FeedbackGiven, Stage.Completed);
        bool late = block.timestamp > order.slaDeadline;

        order.stage = Stage.Completed;
        order.late = late;
        emit OrderCompleted(orderId, order.policyId, order.handlerId, order.clauseId, order.slaDeadline, late);
    }

    /// @inheritdoc IWorkOrders
    function evaluate(bytes32 orderId, uint8 score) external onlyRole(OPERATOR_ROLE) {
        Order storage order = _operatorStep(orderId);
        if (order.stage == Stage.Evaluated) revert AlreadyEvaluated(orderId);
        _expectStage(orderId, order, Stage.Completed, Stage.Evaluated);
        if (score < 1 || score > 5) revert InvalidScore(orderId, score);

        order.stage = Stage.Evaluated;
        order.score = score;
        emit OrderEvaluated(orderId, order.policyId, order.handlerId, order.clauseId, score);
    }

    /// @inheritdoc IWorkOrders
    function markOverdue(bytes32 orderId) external {
        Order storage order = _order(orderId);
        if (order.stage >= Stage.Completed) revert AlreadyCompleted(orderId);
        if (order.overdue) revert AlreadyOverdue(orderId);
        if (block.timestamp <= order.slaDeadline) revert NotYetOverdue(orderId, order.slaDeadline);

        order.overdue = true;
        emit OrderOverdue(orderId, order.policyId, order.handlerId, order.clauseId, order.slaDeadline, msg.sender);
    }

    /// @inheritdoc IWorkOrders
    function slaOf(bytes32 category) external view returns (uint64) {
        uint64 sla = _sla[category];
        if (sla == 0) revert CategoryUnknown(category);
        return sla;
    }

    /// @inheritdoc IWorkOrders
    function orderOf(bytes32 orderId) external view returns (Order memory) {
        return _order(orderId);
    }

    function _order(bytes32 orderId) private view returns (Order storage order) {
        order = _orders[orderId];
        if (order.stage == Stage.None) revert OrderUnknown(orderId);
    }

    function _expectStage(bytes32 orderId, Order storage order, Stage expected, Stage attempted) private view {
        if (order.stage != expected) revert StageOutOfOrder(orderId, order.stage, attempted);
    }

    /// @inheritdoc IWorkOrders
    function operatorOf(bytes32 orderId) external view returns (bytes32) {
        _order(orderId);
        return _operators[orderId];
    }

    /// @inheritdoc IWorkOrders
    function categoryOwnerOf(bytes32 category) external view returns (bytes32) {
        if (_sla[category] == 0) revert CategoryUnknown(category);
        return _categoryOwners[category];
    }

    /// @dev The order, after checking that the caller's department is the operator that accepted it.
    function _operatorStep(bytes32 orderId) private view returns (Order storage order) {
        order = _order(orderId);
        _requireOwner(ORDER, orderId, _operators[orderId]);
    }

    /// @dev The order, after checking that it is at `expected` and the caller's department holds it.
    function _handlerStep(bytes32 orderId, Stage expected, Stage attempted)
        private
        view
        returns (Order storage order)
    {
        order = _order(orderId);
        bytes32 callerId = _callerDepartment();
        _expectStage(orderId, order, expected, attempted);
        if (callerId != order.handlerId) revert WrongHandler(orderId, order.handlerId, callerId);
    }

    /// @dev Registered, and not suspended (its account still holds DEPARTMENT_ROLE).
    function _isActiveDepartment(bytes32 departmentId) private view returns (bool) {
        return directory.isDepartment(departmentId)
            && directory.hasRole(DEPARTMENT_ROLE, directory.accountOf(departmentId));
    }
}
