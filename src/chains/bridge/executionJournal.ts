/** One transaction the executor sent for a step, as the audit trail keeps it. */
export interface SentTx {
  kind: "approve" | "lock";
  chain: string;
  from: string;
  /** Written before the transaction is sent: on restart the same nonce is reused, so at most one of them mines. */
  nonce: number;
  txHash?: string;
  receipt?: { status: "success" | "reverted"; blockNumber: string; gasUsed: string };
}

/** One bridge move of a plan and what happened to it. */
export interface ExecutionStep {
  index: number;
  token: string;
  fromChain: string;
  toChain: string;
  /** Base units, decimal string. */
  amountRaw: string;
  /** keccak256 of plan id and step index: the bridge accepts it once, so a step can never move funds twice. */
  transferId: string;
  txs: SentTx[];
  /** "skipped": a native coin (the test bridge carries ERC-20 tokens only). */
  state: "pending" | "locked" | "released" | "skipped";
}

/** A plan's execution: the audit record, updated as each transaction is sent and mined. */
export interface ExecutionRecord {
  planId: string;
  accountId: string;
  state: "executing" | "awaiting-release" | "completed" | "failed";
  createdAt: string;
  updatedAt: string;
  steps: ExecutionStep[];
  error?: string;
}

/**
 * Durable storage of execution records (the service stores them in its SQLite store). `put` must be durable when it
 * returns: the executor writes before it sends.
 */
export interface ExecutionJournal {
  get(planId: string): Promise<ExecutionRecord | undefined>;
  put(record: ExecutionRecord): Promise<void>;
}

/** A journal over a string key-value store (e.g. the service store's meta table), key `execution:<planId>`. */
export function keyValueJournal(kv: {
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
}): ExecutionJournal {
  return {
    async get(planId) {
      const raw = await kv.getMeta(`execution:${planId}`);
      return raw === undefined ? undefined : (JSON.parse(raw) as ExecutionRecord);
    },
    put(record) {
      return kv.setMeta(`execution:${record.planId}`, JSON.stringify(record));
    },
  };
}
