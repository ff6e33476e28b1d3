import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresMigrations } from "../../../src/store/postgresMigrations.js";
import { type PostgresServer, postgresSkipReason, startPostgres } from "../../support/postgresServer.js";
import { startHarness } from "./serviceHarness.js";

const skip = postgresSkipReason();
if (skip) console.warn(`service on PostgreSQL skipped: ${skip}`);

describe.skipIf(skip !== undefined)("the service on PostgreSQL (store URL)", () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
  });

  it("serves, stores and resumes after a restart exactly as on SQLite", async () => {
    const store = await pg.createDatabase("service");
    const first = await startHarness({ store });
    let history: unknown[];
    try {
      expect(first.svc.store.description).toMatch(/^postgres 127\.0\.0\.1:\d+\/service$/);
      const health = await first.call("/healthz");
      expect(health.body).toMatchObject({
        seq: 1,
        accounts: 7,
        storeSchemaVersion: postgresMigrations.at(-1)!.version,
      });
      for (let i = 0; i < 3; i++) await first.call("/v1/feed/step", { method: "POST" });
      history = (await first.call("/v1/accounts/acct-basis-01/history")).body.history as unknown[];
      // One row at start plus at most one per tick that moved the account.
      expect(history.length).toBeGreaterThanOrEqual(1);
      expect(history.length).toBeLessThanOrEqual(4);
    } finally {
      await first.stop();
    }

    const second = await startHarness({ store });
    try {
      const health = await second.call("/healthz");
      expect(health.body).toMatchObject({ seq: 4, accounts: 7 });
      expect((health.body.feed as { lastDate: string }).lastDate).toBe("2023-07-03");
      const step = await second.call("/v1/feed/step", { method: "POST" });
      expect(step.body).toMatchObject({ seq: 5, source: "replay 2023-07-04" });
      const after = (await second.call("/v1/accounts/acct-basis-01/history")).body.history as unknown[];
      expect(after.length).toBeGreaterThan(history.length);
      const prices = (await second.call("/v1/markets/history?symbol=BTC")).body.history as unknown[];
      expect(prices).toHaveLength(5);
    } finally {
      await second.stop();
    }
  });
});
