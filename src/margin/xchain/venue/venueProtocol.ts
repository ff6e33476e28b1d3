import type { XchainAccountResult } from "./remarginShard.js";

/** Messages from `XchainVenue` to its workers. */
export type VenueRequest =
  /** Untrusted account documents of the shard and the xchain config; the worker validates and keeps them. */
  | { op: "load"; id: number; documents: unknown[]; firstIndex: number; config: unknown }
  /** A tick: the untrusted market snapshot; every account of the shard is re-margined against it. */
  | { op: "tick"; id: number; snapshot: unknown; fullReports: boolean };

export type VenueReply =
  | { id: number; ok: true; results?: XchainAccountResult[]; accounts?: number }
  | { id: number; ok: false; error: { code: string; message: string; path?: string } };
