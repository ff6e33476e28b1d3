// The solc-js compile step lives in src/chains/devnet (the `xmargin devnet` command deploys the same contracts).
export { type CompiledContract, compileContracts } from "../../../../src/chains/devnet/testContracts.js";
