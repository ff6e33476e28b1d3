import {
  type Abi,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type WalletClient,
} from "viem";
import type { AnvilNode } from "./anvilNode.js";
import type { CompiledContract } from "./testContracts.js";

/** One local chain with a funded, node-unlocked deployer account. */
export interface TestChain {
  node: AnvilNode;
  publicClient: PublicClient;
  wallet: WalletClient;
  deployer: Hex;
}

export async function connect(node: AnvilNode): Promise<TestChain> {
  const chain = defineChain({
    id: node.chainId,
    name: `anvil-${node.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [node.rpcUrl] } },
  });
  const publicClient = createPublicClient({ chain, transport: http(node.rpcUrl), pollingInterval: 20 });
  const [deployer] = await createWalletClient({ chain, transport: http(node.rpcUrl) }).getAddresses();
  if (!deployer) throw new Error("anvil has no unlocked account");
  const wallet = createWalletClient({ chain, transport: http(node.rpcUrl), account: deployer, pollingInterval: 20 });
  return { node, publicClient, wallet, deployer };
}

/** Deploys a compiled contract and returns its address once mined. */
export async function deploy(c: TestChain, contract: CompiledContract, args: readonly unknown[] = []): Promise<Hex> {
  const hash = await c.wallet.deployContract({
    abi: contract.abi,
    bytecode: contract.bytecode,
    args,
    account: c.deployer,
    chain: c.wallet.chain,
  });
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (!receipt.contractAddress || receipt.status !== "success") throw new Error("deployment failed");
  return receipt.contractAddress;
}

/** Sends one state-changing call and waits for it to be mined. */
export async function send(
  c: TestChain,
  address: Hex,
  abi: Abi,
  functionName: string,
  args: readonly unknown[] = [],
): Promise<void> {
  const hash = await c.wallet.writeContract({
    address,
    abi,
    functionName,
    args,
    account: c.deployer,
    chain: c.wallet.chain,
    // Fixed gas: an estimate made in one block can fall short in the next (a storage write that was a no-op at
    // estimation time, e.g. the same block.timestamp, costs more when the timestamp has moved on).
    gas: 1_000_000n,
  });
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== "success") {
    const tx = await c.publicClient.getTransaction({ hash });
    throw new Error(
      `${functionName} reverted (gas ${receipt.gasUsed}/${tx.gas}, block ${receipt.blockNumber}, nonce ${tx.nonce})`,
    );
  }
}

/** Sends native coin. */
export async function fund(c: TestChain, to: Hex, valueWei: bigint): Promise<void> {
  const hash = await c.wallet.sendTransaction({ to, value: valueWei, account: c.deployer, chain: c.wallet.chain });
  await c.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
}

/** Timestamp of the latest block, epoch seconds. */
export async function chainTimeSec(c: TestChain): Promise<number> {
  const block = await c.publicClient.getBlock({ blockTag: "latest" });
  return Number(block.timestamp);
}
