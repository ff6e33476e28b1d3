import {
  createWalletClient,
  defineChain,
  encodePacked,
  getAddress,
  type Hex,
  keccak256,
  type PublicClient,
  http as viemHttp,
  type WalletClient,
} from "viem";
import { XmarginError } from "../../core/errors.js";
import { createEvmClient } from "../../oracles/sources/evmClient.js";
import type { SourceChain, SourcesConfig } from "../../oracles/sourcesConfig.js";
import { erc20ApproveAbi, testBridgeAbi } from "./bridgeAbi.js";
import type { ExecutionJournal, ExecutionRecord, ExecutionStep, SentTx } from "./executionJournal.js";

/** A transaction of a plan was mined and reverted: the plan stops (a retry would revert again). */
export class TransactionRevertedError extends XmarginError {}

/** One cross-chain move of a plan, in base units. */
export interface BridgeMove {
  token: string;
  fromChain: string;
  toChain: string;
  amountRaw: bigint;
}

export interface BridgeExecutorOptions {
  config: Pick<SourcesConfig, "chains" | "tokens" | "bridges">;
  journal: ExecutionJournal;
  /** Ready clients by chain (tests); default one per chain from the config. */
  clients?: ReadonlyMap<string, PublicClient>;
  /** Test hook run after a transaction is sent and before its receipt is recorded (a crash there is the hard case). */
  afterSend?: (step: ExecutionStep, tx: SentTx) => void;
  log?: (line: string) => void;
}

/** The transfer id of a step: the same plan and step always give the same id, on any run. */
export function transferIdOf(planId: string, index: number): Hex {
  return keccak256(encodePacked(["string", "string", "uint256"], ["xmargin-plan", planId, BigInt(index)]));
}

/**
 * Executes a plan's cross-chain moves as real transactions: for each move, `approve` the source chain's bridge when
 * the allowance is short, then `lock` under the step's transfer id (released on the destination by the relayer after
 * the bridge delay). Idempotent across restarts: the journal records each transaction's nonce before it is sent and
 * its hash and receipt after; a restarted executor resumes the record, waits for a known hash, and asks the bridge
 * whether the transfer id is already locked before sending anything. The bridge itself refuses a second lock of an
 * id. Native-coin moves are recorded as skipped (the test bridge carries ERC-20 tokens only). The account signs through the node (`eth_sendTransaction`: an unlocked dev account) in this version.
 * Adapter (network I/O).
 * @see docs/service.md#executed-rebalancing
 */
export class BridgeExecutor {
  private readonly publics = new Map<string, PublicClient>();
  private readonly log: (line: string) => void;

  constructor(private readonly options: BridgeExecutorOptions) {
    this.log = options.log ?? (() => {});
    for (const chain of options.config.chains) {
      this.publics.set(chain.chain, options.clients?.get(chain.chain) ?? createEvmClient(chain));
    }
  }

  /** The record of a plan, if it was ever executed. */
  record(planId: string): Promise<ExecutionRecord | undefined> {
    return this.options.journal.get(planId);
  }

  /**
   * Sends (or resumes) the plan's locks and returns the record once every lock is mined ("awaiting-release").
   * Calling it again for a plan already sent sends nothing.
   */
  async execute(planId: string, accountId: string, moves: readonly BridgeMove[]): Promise<ExecutionRecord> {
    const { journal } = this.options;
    const now = new Date().toISOString();
    let record = await journal.get(planId);
    if (!record) {
      record = {
        planId,
        accountId,
        state: "executing",
        createdAt: now,
        updatedAt: now,
        steps: moves.map((m, index) => ({
          index,
          token: m.token,
          fromChain: m.fromChain,
          toChain: m.toChain,
          amountRaw: m.amountRaw.toString(),
          transferId: transferIdOf(planId, index),
          txs: [],
          state: this.isErc20(m.fromChain, m.token) ? "pending" : "skipped",
        })),
      };
      await journal.put(record);
    }
    if (record.state !== "executing") return record;
    const save = async () => {
      record!.updatedAt = new Date().toISOString();
      await journal.put(record!);
    };
    try {
      for (const step of record.steps) {
        if (step.state !== "pending") continue;
        await this.runStep(record, step, save);
      }
      record.state = "awaiting-release";
    } catch (err) {
      // A reverted transaction ends the plan; anything else (RPC down, a crash) leaves it to be resumed.
      if (err instanceof TransactionRevertedError) record.state = "failed";
      record.error = err instanceof Error ? err.message : String(err);
      await save();
      throw err;
    }
    await save();
    return record;
  }

  /** Marks released steps (destination bridge says so) and completes the record when all are. */
  async refresh(planId: string): Promise<ExecutionRecord | undefined> {
    const record = await this.options.journal.get(planId);
    if (record?.state !== "awaiting-release") return record;
    for (const step of record.steps) {
      if (step.state !== "locked") continue;
      const dst = this.bridgeOn(step.toChain);
      const done = await this.publicOf(step.toChain).readContract({
        address: dst,
        abi: testBridgeAbi,
        functionName: "released",
        args: [step.transferId as Hex],
      });
      if (done) step.state = "released";
    }
    if (record.steps.every((s) => s.state === "released" || s.state === "skipped")) record.state = "completed";
    record.updatedAt = new Date().toISOString();
    await this.options.journal.put(record);
    return record;
  }

  private async runStep(record: ExecutionRecord, step: ExecutionStep, save: () => Promise<void>): Promise<void> {
    const chain = this.chainConfig(step.fromChain);
    const client = this.publicOf(step.fromChain);
    const bridge = this.bridgeOn(step.fromChain);
    const token = this.tokenAddress(step.fromChain, step.token);
    const dstChain = this.chainConfig(step.toChain);
    this.tokenAddress(step.toChain, step.token); // the destination must list the token too (the relayer pays it)
    const account = getAddress(record.accountId);
    const amount = BigInt(step.amountRaw);
    const wallet = walletFor(chain, account);

    // Already locked (sent before a restart, or by a twin process): record it, send nothing.
    const locked = await client.readContract({
      address: bridge,
      abi: testBridgeAbi,
      functionName: "locks",
      args: [step.transferId as Hex],
    });
    if (locked[3] > 0n) {
      await this.settlePending(step, client, save);
      step.state = "locked";
      await save();
      return;
    }
    // A transaction of this step sent before a restart: wait for it instead of sending another.
    for (const tx of step.txs) {
      if (!tx.receipt && tx.txHash) await this.waitAndRecord(tx, client, save);
    }
    const allowance = await client.readContract({
      address: token,
      abi: erc20ApproveAbi,
      functionName: "allowance",
      args: [account, bridge],
    });
    if (allowance < amount) {
      await this.send(step, "approve", chain, client, account, save, (nonce) =>
        wallet.writeContract({
          address: token,
          abi: erc20ApproveAbi,
          functionName: "approve",
          args: [bridge, amount],
          account,
          chain: wallet.chain,
          nonce,
          gas: 200_000n,
        }),
      );
    }
    await this.send(step, "lock", chain, client, account, save, (nonce) =>
      wallet.writeContract({
        address: bridge,
        abi: testBridgeAbi,
        functionName: "lock",
        args: [step.transferId as Hex, token, amount, BigInt(dstChain.evmChainId), account],
        account,
        chain: wallet.chain,
        nonce,
        gas: 300_000n,
      }),
    );
    step.state = "locked";
    await save();
    this.log(`plan ${record.planId} step ${step.index}: locked ${step.amountRaw} ${step.token} on ${step.fromChain}`);
  }

  /** Journals the nonce, sends, journals the hash, waits for and journals the receipt; a revert is an error. */
  private async send(
    step: ExecutionStep,
    kind: SentTx["kind"],
    chain: SourceChain,
    client: PublicClient,
    from: Hex,
    save: () => Promise<void>,
    submit: (nonce: number) => Promise<Hex>,
  ): Promise<void> {
    const reused = step.txs.find((t) => t.kind === kind && !t.txHash);
    const nonce = reused?.nonce ?? (await client.getTransactionCount({ address: from, blockTag: "pending" }));
    const tx: SentTx = reused ?? { kind, chain: chain.chain, from, nonce };
    if (!reused) step.txs.push(tx);
    await save();
    tx.txHash = await submit(nonce);
    await save();
    this.options.afterSend?.(step, tx);
    await this.waitAndRecord(tx, client, save);
  }

  private async waitAndRecord(tx: SentTx, client: PublicClient, save: () => Promise<void>): Promise<void> {
    const receipt = await client.waitForTransactionReceipt({ hash: tx.txHash as Hex, pollingInterval: 50 });
    tx.receipt = {
      status: receipt.status,
      blockNumber: receipt.blockNumber.toString(),
      gasUsed: receipt.gasUsed.toString(),
    };
    await save();
    if (receipt.status !== "success") {
      throw new TransactionRevertedError(`${tx.kind} transaction ${tx.txHash} reverted on ${tx.chain}`, {
        code: "CALCULATION_FAILED",
        path: "$.steps",
      });
    }
  }

  private async settlePending(step: ExecutionStep, client: PublicClient, save: () => Promise<void>): Promise<void> {
    for (const tx of step.txs) {
      if (!tx.receipt && tx.txHash) {
        await this.waitAndRecord(tx, client, save).catch(() => undefined);
      }
    }
  }

  private isErc20(chain: string, symbol: string): boolean {
    return this.options.config.tokens.some((t) => t.chain === chain && t.symbol === symbol && t.address !== undefined);
  }

  private chainConfig(chain: string): SourceChain {
    const c = this.options.config.chains.find((x) => x.chain === chain);
    if (!c)
      throw new XmarginError(`no chain ${chain} in the sources config`, { code: "INVALID_INPUT", path: "$.chains" });
    return c;
  }

  private publicOf(chain: string): PublicClient {
    const c = this.publics.get(chain);
    if (!c)
      throw new XmarginError(`no chain ${chain} in the sources config`, { code: "INVALID_INPUT", path: "$.chains" });
    return c;
  }

  private bridgeOn(chain: string): Hex {
    const b = this.options.config.bridges.find((x) => x.chain === chain);
    if (!b) throw new XmarginError(`no bridge on ${chain}`, { code: "INVALID_INPUT", path: "$.bridges" });
    return getAddress(b.address);
  }

  private tokenAddress(chain: string, symbol: string): Hex {
    const t = this.options.config.tokens.find((x) => x.chain === chain && x.symbol === symbol);
    if (!t?.address) {
      throw new XmarginError(`no ERC-20 ${symbol} on ${chain} in the sources config`, {
        code: "INVALID_INPUT",
        path: "$.tokens",
      });
    }
    return getAddress(t.address);
  }
}

/** A wallet whose account the node signs for (anvil's unlocked dev accounts). */
export function walletFor(chain: SourceChain, account: Hex): WalletClient {
  const definition = defineChain({
    id: chain.evmChainId,
    name: chain.chain,
    nativeCurrency: { name: "native", symbol: "NATIVE", decimals: 18 },
    rpcUrls: { default: { http: [chain.rpcUrl] } },
  });
  return createWalletClient({ chain: definition, transport: viemHttp(chain.rpcUrl), account });
}
