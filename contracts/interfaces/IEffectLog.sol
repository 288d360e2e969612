// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Checkpoints of append-only effect logs (RFC 9162 Merkle trees).
/// @notice A department opens a log under a policy clause in force and anchors
/// checkpoints of it: the tree size and the RFC 9162 Merkle tree hash (root) of the
/// entries logged so far, leaves `SHA-256(0x00 || entry)` and nodes
/// `SHA-256(0x01 || left || right)`. The entries stay off chain. Every checkpoint
/// after the first must come with the RFC 9162 §2.1.4.1 consistency proof from the
/// previous checkpoint, which the contract verifies as §2.1.4.2 prescribes; so the
/// chain only ever holds roots of one growing list of entries, never a rewrite, a
/// reordering or a truncation of what an earlier checkpoint anchored.
interface IEffectLog {
    /// @notice A department opened a log under a policy clause in force.
    event LogOpened(
        bytes32 indexed logId, bytes32 indexed ownerId, bytes32 indexed policyId, bytes32 clauseId
    );
    /// @notice Checkpoint `index` (counted from 1) of a log anchored the first `treeSize`
    /// entries under `root`. `previousSize` and `previousRoot` are the checkpoint it was
    /// proved consistent with: for the first checkpoint, the empty tree (0 and
    /// `SHA-256("")`).
    event CheckpointAnchored(
        bytes32 indexed logId,
        bytes32 indexed ownerId,
        bytes32 indexed policyId,
        bytes32 clauseId,
        uint32 index,
        uint64 treeSize,
        bytes32 root,
        uint64 previousSize,
        bytes32 previousRoot
    );

    /// @notice The log id is taken, or zero.
    error LogExists(bytes32 logId);
    /// @notice No log has this id.
    error LogUnknown(bytes32 logId);
    /// @notice The caller's department does not own this log.
    error NotLogOwner(bytes32 logId, bytes32 callerId);
    /// @notice A checkpoint needs a nonzero root, and the first one a nonzero size and an
    /// empty proof (every tree extends the empty one).
    error InvalidCheckpoint(bytes32 logId);
    /// @notice A checkpoint must anchor more entries than the previous one: fewer would
    /// truncate the log, as many would at best repeat it and at worst rewrite it.
    error TreeNotGrowing(bytes32 logId, uint64 previousSize, uint64 newSize);
    /// @notice The consistency proof does not show that the previous checkpoint's tree is
    /// a prefix of the new one.
    error InconsistentCheckpoint(bytes32 logId, uint64 previousSize, uint64 newSize);
    /// @notice No checkpoint has this index: they count from 1 to `checkpoints`.
    error CheckpointOutOfRange(bytes32 logId, uint32 index, uint32 checkpoints);

    /// @notice Open a log owned by the caller's department under a policy clause in force.
    function openLog(bytes32 logId, bytes32 policyId, bytes32 clauseId) external;

    /// @notice Anchor the first `treeSize` entries of a log under `root`. Only the owner.
    /// The first checkpoint takes an empty proof; every later one must be larger than the
    /// previous and come with `PROOF(previousSize, D[treeSize])` (RFC 9162 §2.1.4.1), the
    /// node nearest the old tree first. The log's clause need not still be in force:
    /// entries logged while it was must stay anchorable after it lapses. As in RFC 9162,
    /// the proof binds the roots, and `treeSize` only as far as the proof's shape does: the
    /// owner vouches for the size as a log vouches for its signed tree head.
    /// @return index The new checkpoint's index, counted from 1.
    function checkpoint(bytes32 logId, uint64 treeSize, bytes32 root, bytes32[] calldata consistencyProof)
        external
        returns (uint32 index);

    /// @notice The latest checkpoint of a log. Index 0 (size 0, root `SHA-256("")`, time 0)
    /// when it has none yet: the empty tree.
    function latest(bytes32 logId)
        external
        view
        returns (uint32 index, uint64 treeSize, bytes32 root, uint64 timestamp);

    /// @notice Checkpoint `index` of a log (1 to `checkpoints`) and the time it was anchored.
    function checkpointAt(bytes32 logId, uint32 index)
        external
        view
        returns (uint64 treeSize, bytes32 root, uint64 timestamp);

    /// @notice The owner and clause of a log, and how many checkpoints it has.
    function logOf(bytes32 logId)
        external
        view
        returns (bytes32 ownerId, bytes32 policyId, bytes32 clauseId, uint32 checkpoints);

    /// @notice Whether `proof` shows the tree of `size1` entries with root `root1` to be a
    /// prefix of the tree of `size2` entries with root `root2`: the RFC 9162 §2.1.4.2
    /// algorithm, as `checkpoint` runs it. Equal sizes need equal roots and an empty
    /// proof; size 0 needs `root1 == SHA-256("")` and an empty proof; `size1 > size2` fails.
    function verifyConsistency(
        uint256 size1,
        uint256 size2,
        bytes32 root1,
        bytes32 root2,
        bytes32[] calldata proof
    ) external pure returns (bool);
}
