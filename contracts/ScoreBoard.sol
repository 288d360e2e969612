// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IScoreBoard} from "./interfaces/IScoreBoard.sol";

/// @title Published maturity scores, each recomputable from the chain.
/// @notice Scores are append-only: a new computation is a new score, never an edit.
contract ScoreBoard is IScoreBoard {
    bytes32 public constant SCORER_ROLE = keccak256("SCORER_ROLE");

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

    IDirectory public immutable directory;
    IPolicyRegistry public immutable registry;

    Score[] private _scores;

    constructor(IDirectory directory_, IPolicyRegistry registry_) {
        directory = directory_;
        registry = registry_;
    }

    /// @inheritdoc IScoreBoard
    function publish(
        bytes32 scope,
        bytes32 specHash,
        uint64 asOfBlock,
        bytes32 evidenceRoot,
        bytes32 resultHash,
        uint64 windowStart,
        uint64 windowEnd
    ) external returns (uint256 scoreId) {
        if (!directory.hasRole(SCORER_ROLE, msg.sender)) revert Unauthorized(msg.sender, SCORER_ROLE);
        if (
            scope == bytes32(0) || specHash == bytes32(0) || evidenceRoot == bytes32(0)
                || resultHash == bytes32(0)
        ) {
            revert InvalidScore(scope, specHash, evidenceRoot, resultHash);
        }
        if (windowEnd < windowStart) revert InvalidWindow(windowStart, windowEnd);
        if (asOfBlock > block.number) revert AsOfNotMined(asOfBlock, block.number);

        _scores.push(
            Score({
                scope: scope,
                specHash: specHash,
                evidenceRoot: evidenceRoot,
                resultHash: resultHash,
                asOfBlock: asOfBlock,
                windowStart: windowStart,
                windowEnd: windowEnd,
                publishedAt: uint64(block.timestamp),
                publisher: msg.sender
            })
        );
        scoreId = _scores.length;
        emit ScorePublished(
            scoreId, scope, msg.sender, specHash, asOfBlock, evidenceRoot, resultHash, windowStart, windowEnd
        );
    }

    /// @inheritdoc IScoreBoard
    function scoreCount() external view returns (uint256) {
        return _scores.length;
    }

    /// @inheritdoc IScoreBoard
    function scoreOf(uint256 scoreId)
        external
        view
        returns (
            bytes32 scope,
            bytes32 specHash,
            uint64 asOfBlock,
            bytes32 evidenceRoot,
            bytes32 resultHash,
            uint64 windowStart,
            uint64 windowEnd,
            address publisher,
            uint64 publishedAt
        )
    {
        if (scoreId == 0 || scoreId > _scores.length) revert ScoreUnknown(scoreId);
        Score storage s = _scores[scoreId - 1];
        return (
            s.scope,
            s.specHash,
            s.asOfBlock,
            s.evidenceRoot,
            s.resultHash,
            s.windowStart,
            s.windowEnd,
            s.publisher,
            s.publishedAt
        );
    }
}
