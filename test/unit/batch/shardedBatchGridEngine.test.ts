import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { generateAccounts } from "../../../bench/generateAccounts.js";
import { BatchGridEngine } from "../../../src/margin/batch/batchGridEngine.js";
import { onboardAccounts } from "../../../src/margin/batch/onboardAccounts.js";
import { ShardedBatchGridEngine } from "../../../src/margin/batch/shardedBatchGridEngine.js";
import type { GridPmConfig } from "../../../src/margin/gridPm/config.js";
import { resolveMarket } from "../../../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import { marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";

// The worker runs compiled JavaScript: `npm test` builds dist/ before running the tests.
const WORKER = join(import.meta.dirname, "../../../dist/src/margin/batch/gridWorker.js");

describe.skipIf(!existsSync(WORKER))("ShardedBatchGridEngine", () => {
  it("gives the single-threaded engine's results, cold and after ticks", async () => {
    const market = resolveMarket(
      marketSnapshotSchema.parse(
        JSON.parse(readFileSync(join(import.meta.dirname, "../../../examples/market-2023-06-30.json"), "utf8")),
      ),
    );
    const config = resolveMarginConfig({ model: "grid" }) as GridPmConfig;
    const portfolios = generateAccounts(301, 11).map((d) => resolvePortfolio(portfolioSchema.parse(d), market));
    const single = new BatchGridEngine(portfolios, market, config);
    single.computeAll();
    const sharded = await ShardedBatchGridEngine.create(portfolios, market, config, {
      workers: 2,
      workerUrl: pathToFileURL(WORKER),
    });
    try {
      await sharded.computeAll();
      expect([...sharded.initialMarginUsd]).toEqual([...single.initialMarginUsd]);
      expect([...sharded.collateralValueUsd]).toEqual([...single.collateralValueUsd]);
      const eth = market.underlyings.get("ETH")!;
      const state = { spotUsd: eth.spotUsd * 0.93, carryRateAnnual: 0.04, riskFreeRateAnnual: 0.05 };
      const stats = await sharded.tick("ETH", state);
      const singleStats = single.tick("ETH", state);
      expect(stats.groupsRecomputed).toBe(singleStats.groupsRecomputed);
      expect(stats.accountsUpdated).toBe(singleStats.accountsUpdated);
      expect(stats.instrumentsRevalued).toBeGreaterThanOrEqual(singleStats.instrumentsRevalued);
      expect([...sharded.initialMarginUsd]).toEqual([...single.initialMarginUsd]);
      expect([...sharded.maintenanceMarginUsd]).toEqual([...single.maintenanceMarginUsd]);
      expect([...sharded.collateralValueUsd]).toEqual([...single.collateralValueUsd]);
      expect(sharded.accountIds).toEqual(single.accountIds);
      // One account replaced and one removed on their workers, as on the single engine.
      const moved = { ...portfolios[5]!, accountId: portfolios[250]!.accountId };
      await sharded.replaceAccount(moved);
      single.replaceAccount(moved);
      await sharded.removeAccount(portfolios[3]!.accountId);
      single.removeAccount(portfolios[3]!.accountId);
      expect([...sharded.initialMarginUsd]).toEqual([...single.initialMarginUsd]);
      expect(sharded.initialMarginUsd[3]).toBeNaN();
      await expect(sharded.removeAccount("nobody")).rejects.toThrow(/no account nobody/);
    } finally {
      await sharded.close();
    }
  });

  it("onboards documents on the workers with the single engine's results, and names a bad document", async () => {
    const market = resolveMarket(
      marketSnapshotSchema.parse(
        JSON.parse(readFileSync(join(import.meta.dirname, "../../../examples/market-2023-06-30.json"), "utf8")),
      ),
    );
    const config = resolveMarginConfig({ model: "grid" }) as GridPmConfig;
    const docs = generateAccounts(101, 3);
    const single = new BatchGridEngine(onboardAccounts(docs, market), market, config);
    single.computeAll();
    const options = { workers: 2, workerUrl: pathToFileURL(WORKER) };
    const sharded = await ShardedBatchGridEngine.fromDocuments(docs, market, config, options);
    try {
      await sharded.computeAll();
      expect(sharded.accountIds).toEqual(single.accountIds);
      expect([...sharded.initialMarginUsd]).toEqual([...single.initialMarginUsd]);
      expect([...sharded.collateralValueUsd]).toEqual([...single.collateralValueUsd]);
    } finally {
      await sharded.close();
    }
    const bad = docs.map((d, i) => (i === 77 ? { ...d, positions: [{ ...d.positions![0]!, size: "ten" }] } : d));
    await expect(ShardedBatchGridEngine.fromDocuments(bad, market, config, options)).rejects.toThrow(
      /\$\[77\]\.positions\[0\]\.size/,
    );
    // Documents handed over as objects (structured clone) rather than JSON text: the same accounts and figures.
    const cloned = await ShardedBatchGridEngine.fromDocuments(docs, market, config, {
      ...options,
      documentsAs: "clone",
    });
    try {
      await cloned.computeAll();
      expect(cloned.accountIds).toEqual(single.accountIds);
      expect([...cloned.initialMarginUsd]).toEqual([...single.initialMarginUsd]);
    } finally {
      await cloned.close();
    }
    // The same documents as JSON lines, each worker parsing its own: the same accounts and figures; a bad line is
    // named by its index.
    const lines = `${docs.map((d) => JSON.stringify(d)).join("\r\n")}\n`;
    const fromLines = await ShardedBatchGridEngine.fromDocumentLines(lines, market, config, options);
    try {
      await fromLines.computeAll();
      expect(fromLines.accountIds).toEqual(single.accountIds);
      expect(fromLines.accountsPerWorker.reduce((x, y) => x + y, 0)).toBe(101);
      expect([...fromLines.initialMarginUsd]).toEqual([...single.initialMarginUsd]);
      expect([...fromLines.collateralValueUsd]).toEqual([...single.collateralValueUsd]);
    } finally {
      await fromLines.close();
    }
    const badLines = bad.map((d) => JSON.stringify(d)).join("\n");
    await expect(ShardedBatchGridEngine.fromDocumentLines(badLines, market, config, options)).rejects.toThrow(
      /\$\[77\]\.positions\[0\]\.size/,
    );
    const empty = await ShardedBatchGridEngine.fromDocumentLines("", market, config, options);
    expect(empty.nAccounts).toBe(0);
    await empty.close();
    // A document JSON cannot write (a BigInt size) goes as a clone, and is refused by its path all the same.
    const big = docs.map((d, i) => (i === 12 ? { ...d, positions: [{ ...d.positions![0]!, size: 10n }] } : d));
    const refused = await ShardedBatchGridEngine.fromDocuments(big, market, config, options).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "INVALID_INPUT", path: "$[12].positions[0].size" });
  });
});
