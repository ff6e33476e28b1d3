// The dev-chain helpers live in src/chains/devnet (the `xmargin devnet` command deploys with them too).
export {
  chainTimeSec,
  connect,
  deploy,
  fund,
  send,
  type TestChain,
} from "../../../../src/chains/devnet/devChain.js";
