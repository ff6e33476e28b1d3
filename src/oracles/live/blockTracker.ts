/** A block as the tracker sees it: height and hash (and the parent hash, to spot a fork without another call). */
export interface BlockRef {
  number: bigint;
  hash: string;
  parentHash: string;
}

/** What a new head did to the chain the tracker remembered. */
export interface HeadChange {
  /** The head is new (another height or hash than the last one seen). */
  advanced: boolean;
  /** Blocks of the remembered chain that are no longer on it (0 = no reorg). */
  reorgDepth: number;
  /** Highest remembered block still on the chain after a reorg. */
  forkBlock?: bigint;
}

/**
 * Remembers the hashes of the recent heads of one chain and tells, for each new head, whether blocks it saw were
 * replaced (a reorg). The caller passes a lookup of the current hash at a height; the tracker calls it only when the
 * new head does not simply extend the last one. Keeps `window` heights.
 * @example
 * const change = await tracker.observe(head, async (n) => (await client.getBlock({ blockNumber: n })).hash);
 */
export class BlockTracker {
  private readonly hashes = new Map<bigint, string>();
  private top: bigint | undefined;

  constructor(private readonly window = 256) {}

  get head(): bigint | undefined {
    return this.top;
  }

  async observe(head: BlockRef, hashAt: (n: bigint) => Promise<string | undefined>): Promise<HeadChange> {
    const top = this.top;
    if (top === undefined) {
      this.remember(head);
      return { advanced: true, reorgDepth: 0 };
    }
    if (head.number === top && this.hashes.get(top) === head.hash) return { advanced: false, reorgDepth: 0 };
    if (head.number === top + 1n && this.hashes.get(top) === head.parentHash) {
      this.remember(head);
      return { advanced: true, reorgDepth: 0 };
    }
    // Walk down from the lower of the two tops until a remembered hash is still on the chain.
    // Walk down the remembered heights (at or below the lower of the two tops) until one is still on the chain.
    // biome-ignore lint/complexity/useMathMinMax: bigint heights (Math.min takes numbers)
    const start = head.number < top ? head.number : top;
    const heights = [...this.hashes.keys()].filter((h) => h <= start).sort((x, y) => (x < y ? 1 : x > y ? -1 : 0));
    let n = start;
    let matched = false;
    for (const h of heights) {
      const actual = h === head.number ? head.hash : await hashAt(h);
      if (actual === this.hashes.get(h)) {
        n = h;
        matched = true;
        break;
      }
    }
    // Nothing remembered is left: the fork is at least as old as the window.
    if (!matched) n = (heights.at(-1) ?? start) - 1n;
    const reorgDepth = Number(top - n);
    for (const h of [...this.hashes.keys()]) if (h > n) this.hashes.delete(h);
    this.remember(head);
    return reorgDepth > 0 ? { advanced: true, reorgDepth, forkBlock: n } : { advanced: true, reorgDepth: 0 };
  }

  private remember(head: BlockRef): void {
    this.hashes.set(head.number, head.hash);
    this.top = head.number;
    for (const h of this.hashes.keys()) if (h <= head.number - BigInt(this.window)) this.hashes.delete(h);
  }
}
