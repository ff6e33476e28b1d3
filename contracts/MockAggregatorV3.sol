// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title MockAggregatorV3: a Chainlink AggregatorV3Interface-compatible feed whose every field tests can set.
/// @notice `updateAnswer` behaves like a keeper round (new round id, updatedAt = block time). The setters let a test
///         produce stale, incomplete, out-of-order or reverting rounds and a changed `decimals()`.
contract MockAggregatorV3 {
    uint8 public decimals;
    string public description;
    uint256 public constant version = 4;

    uint80 private _roundId;
    int256 private _answer;
    uint256 private _startedAt;
    uint256 private _updatedAt;
    uint80 private _answeredInRound;
    bool public reverting;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        updateAnswer(initialAnswer);
    }

    /// @notice A new round: round id + 1, answer, startedAt = updatedAt = block.timestamp, answeredInRound = round id.
    function updateAnswer(int256 answer) public {
        _roundId += 1;
        _answer = answer;
        _startedAt = block.timestamp;
        _updatedAt = block.timestamp;
        _answeredInRound = _roundId;
        emit AnswerUpdated(answer, _roundId, block.timestamp);
    }

    /// @notice Overwrites the whole latest round (for stale, incomplete or carried-over rounds).
    function setRoundData(uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
        external
    {
        _roundId = roundId;
        _answer = answer;
        _startedAt = startedAt;
        _updatedAt = updatedAt;
        _answeredInRound = answeredInRound;
    }

    function setUpdatedAt(uint256 updatedAt) external {
        _updatedAt = updatedAt;
    }

    function setDecimals(uint8 decimals_) external {
        decimals = decimals_;
    }

    /// @notice When set, `latestRoundData` and `getRoundData` revert (a paused or broken feed).
    function setReverting(bool reverting_) external {
        reverting = reverting_;
    }

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        require(!reverting, "feed paused");
        return (_roundId, _answer, _startedAt, _updatedAt, _answeredInRound);
    }

    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80, int256, uint256, uint256, uint80)
    {
        require(!reverting, "feed paused");
        require(roundId == _roundId, "no data present");
        return (_roundId, _answer, _startedAt, _updatedAt, _answeredInRound);
    }

    function latestAnswer() external view returns (int256) {
        require(!reverting, "feed paused");
        return _answer;
    }
}
