// The anvil helpers live in src/chains/devnet (the `xmargin devnet` command uses them too).
export { type AnvilNode, anvilRpc, freePort, startAnvil } from "../../../../src/chains/devnet/anvilNode.js";
