// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {DirectoryManaged} from "./access/DirectoryManaged.sol";
import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IEffectLog} from "./interfaces/IEffectLog.sol";

/// @title Checkpoints of append-only effect logs, each proved consistent with the last.
/// @notice Only a department opens a log, under a policy clause in force, and only the
/// owning department anchors its checkpoints. The chain verifies every RFC 9162
/// consistency proof itself (SHA-256 precompile), so no checkpoint can rewrite, reorder
/// or drop an entry that an earlier checkpoint anchored.
contract EffectLog is DirectoryManaged, IEffectLog {
    /// @notice `MTH({})`, the RFC 9162 hash of the empty tree: `SHA-256("")`.
    bytes32 public constant EMPTY_ROOT = 0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;

    struct Log {
        bytes32 ownerId;
        bytes32 policyId;
        bytes32 clauseId;
        uint32 checkpoints;
    }

    /// @dev Two slots: the size and the time packed in one, the root in the other.
    struct Checkpoint {
        uint64 treeSize;
        uint64 timestamp;
        bytes32 root;
    }

    mapping(bytes32 logId => Log) private _logs;
    mapping(bytes32 logId => mapping(uint32 index => Checkpoint)) private _checkpoints;

    constructor(IDirectory directory_, IPolicyRegistry registry_) DirectoryManaged(directory_, registry_) {}

    /// @inheritdoc IEffectLog
    function openLog(bytes32 logId, bytes32 policyId, bytes32 clauseId) external {
        bytes32 ownerId = _callerDepartment();
        if (logId == bytes32(0) || _logs[logId].ownerId != bytes32(0)) revert LogExists(logId);
        _requireInForce(policyId, clauseId);

        _logs[logId] = Log({ownerId: ownerId, policyId: policyId, clauseId: clauseId, checkpoints: 0});
        emit LogOpened(logId, ownerId, policyId, clauseId);
    }

    /// @inheritdoc IEffectLog
    function checkpoint(bytes32 logId, uint64 treeSize, bytes32 root, bytes32[] calldata consistencyProof)
        external
        returns (uint32 index)
    {
        Log storage log = _log(logId);
        bytes32 callerId = _callerDepartment();
        if (callerId != log.ownerId) revert NotLogOwner(logId, callerId);
        if (root == bytes32(0)) revert InvalidCheckpoint(logId);
        uint32 previous = log.checkpoints;
        uint64 previousSize = 0;
        bytes32 previousRoot = EMPTY_ROOT;
        if (previous == 0) {
            if (treeSize == 0 || consistencyProof.length != 0) revert InvalidCheckpoint(logId);
        } else {
            Checkpoint storage last = _checkpoints[logId][previous];
            previousSize = last.treeSize;
            previousRoot = last.root;
            if (treeSize <= previousSize) revert TreeNotGrowing(logId, previousSize, treeSize);
            if (!_consistent(previousSize, treeSize, previousRoot, root, consistencyProof)) {
                revert InconsistentCheckpoint(logId, previousSize, treeSize);
            }
        }

        index = previous + 1;
        log.checkpoints = index;
        _checkpoints[logId][index] =
            Checkpoint({treeSize: treeSize, timestamp: uint64(block.timestamp), root: root});
        emit CheckpointAnchored(
            logId, log.ownerId, log.policyId, log.clauseId, index, treeSize, root, previousSize, previousRoot
        );
    }

    /// @inheritdoc IEffectLog
    function latest(bytes32 logId)
        external
        view
        returns (uint32 index, uint64 treeSize, bytes32 root, uint64 timestamp)
    {
        index = _log(logId).checkpoints;
        if (index == 0) return (0, 0, EMPTY_ROOT, 0);
        Checkpoint storage cp = _checkpoints[logId][index];
        return (index, cp.treeSize, cp.root, cp.timestamp);
    }

    /// @inheritdoc IEffectLog
    function checkpointAt(bytes32 logId, uint32 index)
        external
        view
        returns (uint64 treeSize, bytes32 root, uint64 timestamp)
    {
        uint32 count = _log(logId).checkpoints;
        if (index == 0 || index > count) revert CheckpointOutOfRange(logId, index, count);
        Checkpoint storage cp = _checkpoints[logId][index];
        return (cp.treeSize, cp.root, cp.timestamp);
    }

    /// @inheritdoc IEffectLog
    function logOf(bytes32 logId)
        external
        view
        returns (bytes32 ownerId, bytes32 policyId, bytes32 clauseId, uint32 checkpoints)
    {
        Log storage log = _log(logId);
        return (log.ownerId, log.policyId, log.clauseId, log.checkpoints);
    }

    /// @inheritdoc IEffectLog
    function verifyConsistency(
        uint256 size1,
        uint256 size2,
        bytes32 root1,
        bytes32 root2,
        bytes32[] calldata proof
    ) external pure returns (bool) {
        return _consistent(size1, size2, root1, root2, proof);
    }

    function _log(bytes32 logId) private view returns (Log storage log) {
        log = _logs[logId];
        if (log.ownerId == bytes32(0)) revert LogUnknown(logId);
    }

    /// @dev RFC 9162 §2.1.4.2, step by step, for `first` = `size1` and `second` = `size2`.
    /// The RFC covers `0 < first < second`; the other cases are decided as
    /// `ledger.effects.merkle.verify_consistency` decides them. The shifts end the loop:
    /// `sn` halves on every step, so at most 256 steps pass before `sn` is 0 and the proof
    /// fails, however long it is.
    function _consistent(
        uint256 first,
        uint256 second,
        bytes32 firstHash,
        bytes32 secondHash,
        bytes32[] calldata path
    ) private pure returns (bool) {
        if (first > second) return false;
        if (first == second) return path.length == 0 && firstHash == secondHash;
        if (first == 0) return path.length == 0 && firstHash == EMPTY_ROOT;
        // 1. If consistency_path is an empty array, stop and fail the proof verification.
        if (path.length == 0) return false;
        // 2. If first is an exact power of 2, then prepend first_hash to the
        //    consistency_path array. (The path stays in calldata; with first_hash in front,
        //    the path's values after the first start at path[0], else at path[1].)
        bool prepended = first & (first - 1) == 0;
        // 3. Set fn to first - 1 and sn to second - 1.
        uint256 fn = first - 1;
        uint256 sn = second - 1;
        // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is
        //    not set.
        while (fn & 1 == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        // 5. Set both fr and sr to the first value in the consistency_path array.
        bytes32 fr = prepended ? firstHash : path[0];
        bytes32 sr = fr;
        // 6. For each subsequent value c in the consistency_path array:
        for (uint256 i = prepended ? 0 : 1; i < path.length; ++i) {
            bytes32 c = path[i];
            // a. If sn is 0, then stop the iteration and fail the proof verification.
            if (sn == 0) return false;
            // b. If LSB(fn) is set, or if fn is equal to sn, then:
            if (fn & 1 == 1 || fn == sn) {
                // i. Set fr to HASH(0x01 || c || fr).
                fr = _node(c, fr);
                // ii. Set sr to HASH(0x01 || c || sr).
                sr = _node(c, sr);
                // iii. If LSB(fn) is not set, then right-shift both fn and sn equally
                //      until either LSB(fn) is set or fn is 0.
                if (fn & 1 == 0) {
                    while (fn & 1 == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                // Otherwise: i. Set sr to HASH(0x01 || sr || c).
                sr = _node(sr, c);
            }
            // c. Finally, right-shift both fn and sn one time.
            fn >>= 1;
            sn >>= 1;
        }
        // 7. After completing iterating through the consistency_path array as described
        //    above, verify that the fr calculated is equal to the first_hash supplied,
        //    that the sr calculated is equal to the second_hash supplied, and that sn is 0.
        return fr == firstHash && sr == secondHash && sn == 0;
    }

    /// @dev An RFC 9162 inner node, `SHA-256(0x01 || left || right)`, by the precompile.
    function _node(bytes32 left, bytes32 right) private pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), left, right));
    }
}
