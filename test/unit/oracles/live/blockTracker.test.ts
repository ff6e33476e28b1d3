import { describe, expect, it } from "vitest";
import { BlockTracker } from "../../../../src/oracles/live/blockTracker.js";

/** A chain as a list of hashes by height; `lookups` counts hashAt calls. */
function chain(hashes: string[]) {
  let lookups = 0;
  const head = () => {
    const n = hashes.length - 1;
    return { number: BigInt(n), hash: hashes[n]!, parentHash: n > 0 ? hashes[n - 1]! : "0x0" };
  };
  return {
    hashes,
    head,
    hashAt: async (n: bigint) => {
      lookups++;
      return hashes[Number(n)];
    },
    lookups: () => lookups,
  };
}

describe("BlockTracker", () => {
  it("follows a chain that only grows without extra lookups when each head extends the last", async () => {
    const c = chain(["g", "a1", "a2"]);
    const t = new BlockTracker();
    expect(await t.observe(c.head(), c.hashAt)).toEqual({ advanced: true, reorgDepth: 0 });
    expect(await t.observe(c.head(), c.hashAt)).toEqual({ advanced: false, reorgDepth: 0 });
    c.hashes.push("a3");
    expect(await t.observe(c.head(), c.hashAt)).toEqual({ advanced: true, reorgDepth: 0 });
    expect(c.lookups()).toBe(0);
  });

  it("a skipped height is checked by one lookup of the last head", async () => {
    const c = chain(["g", "a1"]);
    const t = new BlockTracker();
    await t.observe(c.head(), c.hashAt);
    c.hashes.push("a2", "a3", "a4");
    expect(await t.observe(c.head(), c.hashAt)).toEqual({ advanced: true, reorgDepth: 0 });
    expect(c.lookups()).toBe(1);
  });

  it("replaced blocks give the depth and the fork block (two of four seen heads replaced)", async () => {
    const c = chain(["g", "a1"]);
    const t = new BlockTracker();
    for (const h of ["a2", "a3", "a4"]) {
      await t.observe(c.head(), c.hashAt);
      c.hashes.push(h);
    }
    await t.observe(c.head(), c.hashAt); // head 4 = a4
    // Reorg: blocks 3 and 4 replaced, and the new chain is one longer.
    c.hashes.splice(3, 2, "b3", "b4", "b5");
    expect(await t.observe(c.head(), c.hashAt)).toEqual({ advanced: true, reorgDepth: 2, forkBlock: 2n });
    // The new branch is now the remembered one.
    c.hashes.push("b6");
    expect(await t.observe(c.head(), c.hashAt)).toEqual({ advanced: true, reorgDepth: 0 });
  });

  it("a chain that got shorter (blocks removed, nothing new yet) is a reorg of the removed depth", async () => {
    const c = chain(["g", "a1", "a2"]);
    const t = new BlockTracker();
    await t.observe(c.head(), c.hashAt);
    c.hashes.push("a3");
    await t.observe(c.head(), c.hashAt);
    c.hashes.pop();
    expect(await t.observe(c.head(), c.hashAt)).toEqual({ advanced: true, reorgDepth: 1, forkBlock: 2n });
  });
});
