import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteMigrations } from "../../../src/store/migrations.js";
import { postgresMigrations } from "../../../src/store/postgresMigrations.js";
import { postgresSkipReason } from "../../support/postgresServer.js";
import { usePostgres } from "../../support/usePostgres.js";
import { startHarness } from "./serviceHarness.js";

/** A restarted service resumes from its store: accounts, market sequence, replay position, margin and price history. */
async function expectServiceResumes(store: string, schemaVersion: number, description: RegExp): Promise<void> {
  const first = await startHarness({ store });
  let history: unknown[];
  try {
    expect(first.svc.store.description).toMatch(description);
    expect((await first.call("/healthz")).body).toMatchObject({
      seq: 1,
      accounts: 7,
      storeSchemaVersion: schemaVersion,
    });
    for (let i = 0; i < 3; i++) await first.call("/v1/feed/step", { method: "POST" });
    history = (await first.call("/v1/accounts/acct-basis-01/history")).body.history as unknown[];
    // One row at start (written once although the start computes it twice), at most one per tick that moved it.
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
    expect((await second.call("/v1/markets/history?symbol=BTC")).body.history).toHaveLength(5);
  } finally {
    await second.stop();
  }
}

describe("a restarted service resumes on SQLite", () => {
  const dir = mkdtempSync(join(tmpdir(), "xmargin-resume-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it("accounts, market sequence, replay position and margin history", async () => {
    await expectServiceResumes(`sqlite:${join(dir, "svc.db")}`, sqliteMigrations.at(-1)!.version, /^sqlite /);
  });
});

const skip = postgresSkipReason();
if (skip) console.warn(`service on PostgreSQL skipped: ${skip}`);

describe.skipIf(skip !== undefined)("a restarted service resumes on PostgreSQL (store URL)", () => {
  const server = usePostgres();
  it("accounts, market sequence, replay position and margin history", async () => {
    const url = await server().createDatabase("service");
    await expectServiceResumes(url, postgresMigrations.at(-1)!.version, /^postgres 127\.0\.0\.1:\d+\/service$/);
  });
});
