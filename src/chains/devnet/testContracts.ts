import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import solc from "solc";
import type { Abi, Hex } from "viem";

/** ABI and creation bytecode of one compiled contract. */
export interface CompiledContract {
  abi: Abi;
  bytecode: Hex;
}

/** contracts/ of the repository, from dist/src/chains/devnet or src/chains/devnet. */
const CONTRACTS_DIR = join(
  fileURLToPath(new URL(".", import.meta.url)),
  import.meta.url.includes("/dist/") ? "../../../../contracts" : "../../../contracts",
);
const FILES = ["TestToken.sol", "MockAggregatorV3.sol", "Multicall3.sol", "TestBridge.sol"] as const;

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage: string }>;
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

/** Compiles contracts/*.sol with the npm solc (wasm) compiler: Standard JSON, optimizer on, EVM "paris". */
export function compileContracts(): Record<
  "TestToken" | "MockAggregatorV3" | "Multicall3" | "TestBridge",
  CompiledContract
> {
  const sources = Object.fromEntries(FILES.map((f) => [f, { content: readFileSync(join(CONTRACTS_DIR, f), "utf8") }]));
  const input = {
    language: "Solidity",
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "paris",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const compile = solc.compile as (input: string) => string;
  const output = JSON.parse(compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const pick = (file: string, name: string): CompiledContract => {
    const c = output.contracts?.[file]?.[name];
    if (!c) throw new Error(`solc produced no ${name}`);
    return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
  };
  return {
    TestToken: pick("TestToken.sol", "TestToken"),
    MockAggregatorV3: pick("MockAggregatorV3.sol", "MockAggregatorV3"),
    Multicall3: pick("Multicall3.sol", "Multicall3"),
    TestBridge: pick("TestBridge.sol", "TestBridge"),
  };
}
