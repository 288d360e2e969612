// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Published maturity scores.
/// @notice A SCORER anchors a score computed by the maturity engine (MATURITY.md): the
/// hash of the specification it followed, the block it was computed at, the Merkle root
/// of its evidence and the SHA-256 of its canonical result. Anyone holding the chain can
/// recompute the result from the evidence up to `asOfBlock` and compare `resultHash`.
interface IScoreBoard {
    /// @notice A score to publish: its `scope` ("city" or a department id), the hash of the
    /// spec it followed, the block it was computed at, the Merkle root of its evidence, the
    /// SHA-256 of its canonical result, and the time window it scores.
    struct ScoreRequest {
        bytes32 scope;
        bytes32 specHash;
        uint64 asOfBlock;
        bytes32 evidenceRoot;
        bytes32 resultHash;
        uint64 windowStart;
        uint64 windowEnd;
    }

    /// @notice A published score as stored, with who published it and when.
    struct Score {
        bytes32 scope;
        bytes32 specHash;
        bytes32 evidenceRoot;
        bytes32 resultHash;
        uint64 asOfBlock;
        uint64 windowStart;
        uint64 windowEnd;
        uint64 publishedAt;
        address publisher;
    }

    /// @notice Score `scoreId` (from 1) of `scope` ("city" or a department id) was published.
    event ScorePublished(
        uint256 indexed scoreId,
        bytes32 indexed scope,
        address indexed publisher,
        bytes32 specHash,
        uint64 asOfBlock,
        bytes32 evidenceRoot,
        bytes32 resultHash,
        uint64 windowStart,
        uint64 windowEnd
    );

    /// @notice A score needs a scope, a spec hash, an evidence root and a result hash.
    error InvalidScore(bytes32 scope, bytes32 specHash, bytes32 evidenceRoot, bytes32 resultHash);
    /// @notice The window must not end before it starts.
    error InvalidWindow(uint64 windowStart, uint64 windowEnd);
    /// @notice A score is computed at a block already on chain: `asOfBlock` must not be
    /// after the block that publishes it.
    error AsOfNotMined(uint64 asOfBlock, uint256 publishingBlock);
    /// @notice No score has this id.
    error ScoreUnknown(uint256 scoreId);

    /// @notice Publish a score; returns its id. Only SCORER.
    function publish(ScoreRequest calldata r) external returns (uint256 scoreId);

    /// @notice How many scores were published (ids run from 1 to this).
    function scoreCount() external view returns (uint256);

    /// @notice Score `scoreId`; reverts ScoreUnknown if there is none.
    function scoreOf(uint256 scoreId) external view returns (Score memory);
}
