import { describe, expect, it } from "vitest";
import { chainPnlAndJointLoss, type GroupTerms, groupTerms } from "../../../../src/margin/xchain/jointLoss.js";
import { linearCombination } from "../../../../src/risk/linearCombination.js";

const n = 203;
const column = (c: number) => Float64Array.from({ length: n }, (_, s) => Math.sin(s * (c + 1.7)) * 10 ** (c % 3));

/** Per-chain sums by linearCombination, then the joint loss by the offset rule written with a branch on the sign. */
function reference(chains: GroupTerms[], rate: number): { chainPnl: Float64Array; losses: Float64Array } {
  const chainPnl = new Float64Array(chains.length * n);
  chains.forEach((t, c) => {
    linearCombination(chainPnl.subarray(c * n, (c + 1) * n), t.columns, t.scales);
  });
  const losses = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let total = 0;
    for (let c = 0; c < chains.length; c++) {
      const v = chainPnl[c * n + s]!;
      total += v > 0 ? rate * v : v;
    }
    losses[s] = -total;
  }
  return { chainPnl, losses };
}

describe("chainPnlAndJointLoss", () => {
  it("gives the per-chain P&L and joint loss of separate passes bit for bit, 0 to 9 terms on 1 to 3 chains", () => {
    let next = 0;
    for (let nC = 1; nC <= 3; nC++) {
      for (let k = 0; k <= 9; k++) {
        // chain c holds (k + c) % 10 terms, so every count meets every position among the chains
        const chains: GroupTerms[] = Array.from({ length: nC }, (_, c) => {
          const m = (k + c) % 10;
          return {
            columns: Array.from({ length: m }, () => column(next++ % 17)),
            scales: Array.from({ length: m }, (_, j) => (j % 2 ? -1 : 1) * (0.3 + j * 1.7)),
          };
        });
        for (const rate of [0, 0.5, 1]) {
          const expected = reference(chains, rate);
          const chainPnl = new Float64Array(nC * n).fill(Number.NaN);
          const losses = new Float64Array(n).fill(Number.NaN);
          chainPnlAndJointLoss(chains, rate, chainPnl, losses);
          expect(chainPnl).toEqual(expected.chainPnl);
          expect(losses).toEqual(expected.losses);
        }
      }
    }
  });

  it("offsets a chain's gain at the rate: hand case", () => {
    const ones = new Float64Array(n).fill(1);
    const chains = [
      { columns: [ones], scales: [-100] },
      { columns: [ones, ones], scales: [30, 50] },
    ];
    const losses = new Float64Array(n);
    chainPnlAndJointLoss(chains, 0.5, new Float64Array(2 * n), losses);
    // chain 0 loses 100, chain 1 gains 80 of which half offsets: 100 - 40
    expect(losses[0]).toBe(60);
  });

  it("sums items sharing a vector and a chain into one term, in order of first appearance", () => {
    const a = column(1);
    const b = column(2);
    const pnl = {
      nPaths: n,
      vectors: [a, b],
      vector: Int32Array.from([1, 0, 1, 0]),
      coefficient: Float64Array.from([2, 3, 5, 7]),
      summed: { memberOf: new Int32Array(4).fill(-1), members: [], groups: [] },
    };
    const terms = groupTerms(pnl, Int32Array.from([0, 0, 0, 1]), 2, [true, true, true, true]);
    expect(terms[0]!.columns).toEqual([b, a]);
    expect(terms[0]!.scales).toEqual([7, 3]);
    expect(terms[1]!.scales).toEqual([7]);
  });
});
