import { getAddress, type Hex, type PublicClient } from "viem";
import { createEvmClient } from "../../oracles/sources/evmClient.js";
import type { SourceChain, SourcesConfig } from "../../oracles/sourcesConfig.js";
import { testBridgeAbi } from "./bridgeAbi.js";
import { walletFor } from "./bridgeExecutor.js";

export interface BridgeRelayerOptions {
  config: Pick<SourcesConfig, "chains" | "tokens" | "bridges">;
  /** The relayer's address (the bridge's `relayer`), signed for by the node. */
  relayer: Hex;
  pollIntervalMs?: number;
  clients?: ReadonlyMap<string, PublicClient>;
  log?: (line: string) => void;
}

interface PendingRelease {
  transferId: Hex;
  fromChain: string;
  toChain: SourceChain;
  token: Hex;
  recipient: Hex;
  amount: bigint;
  releaseAfter: bigint;
}

/**
 * The relayer of the test bridge: watches every configured bridge for `Locked` events and, once the destination
 * chain's time has reached the lock's `releaseAfter`, calls `release` on the destination bridge with the same transfer
 * id, paying the same token (matched by symbol in the sources config) to the recipient. Restart-safe: it rescans the
 * logs and skips ids the destination already released (the contract refuses a second release anyway).
 * Adapter (network I/O); runs in the devnet process or its own.
 */
export class BridgeRelayer {
  private readonly publics = new Map<string, PublicClient>();
  private readonly cursor = new Map<string, bigint>();
  private readonly pending = new Map<Hex, PendingRelease>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  readonly releasedIds: Hex[] = [];

  constructor(private readonly options: BridgeRelayerOptions) {
    for (const chain of options.config.chains) {
      this.publics.set(chain.chain, options.clients?.get(chain.chain) ?? createEvmClient(chain));
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.tick().catch((err: unknown) =>
        this.options.log?.(`relayer: ${err instanceof Error ? err.message : String(err)}`),
      );
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.options.pollIntervalMs ?? 500);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: collect new locks, release those whose delay has passed. */
  async tick(): Promise<void> {
    const { config } = this.options;
    for (const bridge of config.bridges) {
      const client = this.publics.get(bridge.chain);
      if (!client) continue;
      const head = await client.getBlockNumber({ cacheTime: 0 });
      const from = this.cursor.get(bridge.chain) ?? 0n;
      if (from > head) continue;
      const logs = await client.getContractEvents({
        address: getAddress(bridge.address),
        abi: testBridgeAbi,
        eventName: "Locked",
        fromBlock: from,
        toBlock: head,
      });
      for (const log of logs) {
        const a = log.args;
        if (!a.transferId || !a.token || a.amount === undefined || a.dstChainId === undefined) continue;
        const toChain = config.chains.find((c) => BigInt(c.evmChainId) === a.dstChainId);
        if (!toChain || !a.recipient || a.releaseAfter === undefined) continue;
        const symbol = config.tokens.find(
          (t) => t.chain === bridge.chain && t.address && getAddress(t.address) === getAddress(a.token!),
        )?.symbol;
        const dstToken = config.tokens.find((t) => t.chain === toChain.chain && t.symbol === symbol)?.address;
        if (!dstToken) {
          this.options.log?.(`relayer: no ${symbol ?? a.token} on ${toChain.chain}; lock ${a.transferId} not relayed`);
          continue;
        }
        this.pending.set(a.transferId, {
          transferId: a.transferId,
          fromChain: bridge.chain,
          toChain,
          token: getAddress(dstToken),
          recipient: a.recipient,
          amount: a.amount,
          releaseAfter: a.releaseAfter,
        });
      }
      this.cursor.set(bridge.chain, head + 1n);
    }
    for (const p of [...this.pending.values()]) await this.tryRelease(p);
  }

  private async tryRelease(p: PendingRelease): Promise<void> {
    const client = this.publics.get(p.toChain.chain)!;
    const bridge = this.options.config.bridges.find((b) => b.chain === p.toChain.chain);
    if (!bridge) return;
    const address = getAddress(bridge.address);
    const done = await client.readContract({
      address,
      abi: testBridgeAbi,
      functionName: "released",
      args: [p.transferId],
    });
    if (done) {
      this.pending.delete(p.transferId);
      return;
    }
    // The next block's time is the node's clock (the latest block may be old on a chain that mines on demand).
    if (BigInt(Math.floor(Date.now() / 1000)) < p.releaseAfter) return;
    const wallet = walletFor(p.toChain, this.options.relayer);
    const hash = await wallet.writeContract({
      address,
      abi: testBridgeAbi,
      functionName: "release",
      args: [p.transferId, p.token, p.recipient, p.amount, p.releaseAfter],
      account: this.options.relayer,
      chain: wallet.chain,
      gas: 200_000n,
    });
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status === "success") {
      this.pending.delete(p.transferId);
      this.releasedIds.push(p.transferId);
      this.options.log?.(`relayer: released ${p.transferId} on ${p.toChain.chain} (${hash})`);
    }
  }
}
