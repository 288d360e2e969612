// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {DirectoryManaged} from "./access/DirectoryManaged.sol";
import {IDirectory} from "./interfaces/IDirectory.sol";
import {IPolicyRegistry} from "./interfaces/IPolicyRegistry.sol";
import {IScoreBoard} from "./interfaces/IScoreBoard.sol";
import {SCORER_ROLE} from "./interfaces/Common.sol";

/// @title Published maturity scores, each recomputable from the chain.
/// @notice Scores are append-only: a new computation is a new score, never an edit.
contract ScoreBoard is DirectoryManaged, IScoreBoard {
    Score[] private _scores;

    constructor(IDirectory directory_, IPolicyRegistry registry_) DirectoryManaged(directory_, registry_) {}

    /// @inheritdoc IScoreBoard
    function publish(ScoreRequest calldata r) external onlyRole(SCORER_ROLE) returns (uint256 scoreId) {
        if (
            r.scope == bytes32(0) || r.specHash == bytes32(0) || r.evidenceRoot == bytes32(0)
                || r.resultHash == bytes32(0)
        ) {
            revert InvalidScore(r.scope, r.specHash, r.evidenceRoot, r.resultHash);
        }
        if (r.windowEnd < r.windowStart) revert InvalidWindow(r.windowStart, r.windowEnd);
        if (r.asOfBlock > block.number) revert AsOfNotMined(r.asOfBlock, block.number);

        _scores.push(
            Score({
                scope: r.scope,
                specHash: r.specHash,
                evidenceRoot: r.evidenceRoot,
                resultHash: r.resultHash,
                asOfBlock: r.asOfBlock,
                windowStart: r.windowStart,
                windowEnd: r.windowEnd,
                publishedAt: uint64(block.timestamp),
                publisher: msg.sender
            })
        );
        scoreId = _scores.length;
        emit ScorePublished(
            scoreId,
            r.scope,
            msg.sender,
            r.specHash,
            r.asOfBlock,
            r.evidenceRoot,
            r.resultHash,
            r.windowStart,
            r.windowEnd
        );
    }

    /// @inheritdoc IScoreBoard
    function scoreCount() external view returns (uint256) {
        return _scores.length;
    }

    /// @inheritdoc IScoreBoard
    function scoreOf(uint256 scoreId) external view returns (Score memory) {
        if (scoreId == 0 || scoreId > _scores.length) revert ScoreUnknown(scoreId);
        return _scores[scoreId - 1];
    }
}
