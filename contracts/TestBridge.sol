// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

interface IERC20Like {
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function transfer(address to, uint256 amount) external returns (bool);
}

/// @title TestBridge: a lock-and-release token bridge for local test chains only.
/// @notice On the source chain `lock` pulls tokens from the sender under a caller-chosen transfer id; on the
///         destination chain the relayer calls `release` with the same id once `delaySec` has passed since the lock.
///         A transfer id can be locked once and released once: a plan resent after a crash cannot move funds twice.
///         The destination bridge pays out of its own balance (pre-funded liquidity). Never deploy outside a test node.
contract TestBridge {
    address public immutable relayer;
    uint256 public immutable delaySec;

    struct Lock {
        address token;
        address sender;
        address recipient;
        uint256 amount;
        uint256 dstChainId;
        uint256 lockedAt;
    }

    mapping(bytes32 => Lock) public locks;
    mapping(bytes32 => bool) public released;

    event Locked(
        bytes32 indexed transferId,
        address indexed token,
        address indexed sender,
        address recipient,
        uint256 amount,
        uint256 dstChainId,
        uint256 releaseAfter
    );
    event Released(bytes32 indexed transferId, address indexed token, address indexed recipient, uint256 amount);

    constructor(address relayer_, uint256 delaySec_) {
        relayer = relayer_;
        delaySec = delaySec_;
    }

    function lock(bytes32 transferId, address token, uint256 amount, uint256 dstChainId, address recipient) external {
        require(locks[transferId].amount == 0, "transfer id used");
        require(amount > 0, "amount");
        locks[transferId] = Lock(token, msg.sender, recipient, amount, dstChainId, block.timestamp);
        require(IERC20Like(token).transferFrom(msg.sender, address(this), amount), "transferFrom");
        emit Locked(transferId, token, msg.sender, recipient, amount, dstChainId, block.timestamp + delaySec);
    }

    function release(bytes32 transferId, address token, address recipient, uint256 amount, uint256 releaseAfter)
        external
    {
        require(msg.sender == relayer, "relayer only");
        require(!released[transferId], "released");
        require(block.timestamp >= releaseAfter, "too early");
        released[transferId] = true;
        require(IERC20Like(token).transfer(recipient, amount), "transfer");
        emit Released(transferId, token, recipient, amount);
    }
}
