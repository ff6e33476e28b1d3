import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, TEST_API_KEY } from "../integration/service/serviceHarness.js";

const CHROMIUM = process.env.XMARGIN_CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), "screenshots");

/** Waits until the text of `selector` differs from `before` (evaluated in the page). */
function waitForTextChange(page: Page, selector: string, before: string) {
  return page.waitForFunction(
    `document.querySelector(${JSON.stringify(selector)})?.textContent !== ${JSON.stringify(before)}`,
    undefined,
    { timeout: 15_000 },
  );
}

/** The dashboard in a real headless Chromium against the real service on loopback. */
describe.skipIf(!existsSync(CHROMIUM))("dashboard in headless Chromium", () => {
  let h: Harness;
  let browser: BrowserContext;
  let profile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    h = await startHarness();
    // A few replayed days first, so the margin-history chart has a line.
    for (let i = 0; i < 5; i++) expect((await h.call("/v1/feed/step", { method: "POST" })).status).toBe(200);
    profile = mkdtempSync(join(tmpdir(), "xmargin-chromium-"));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("shows the accounts, then live numbers change on a replayed tick", async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    const outside: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(h.url) && !r.url().startsWith(h.url.replace("http", "ws"))) outside.push(r.url());
    });
    await page.goto(`${h.url}/?key=${TEST_API_KEY}`);
    await page.locator('[data-testid="accounts-table"] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid="accounts-table"] tbody tr').count()).toBe(7);
    await page.locator("#conn[data-state='open']").waitFor();

    const asOfBefore = (await page.locator('[data-testid="market-asof"]').textContent()) ?? "";
    const healthCell = page.locator('[data-testid="health-acct-directional-perp-01"]');
    const healthBefore = (await healthCell.textContent()) ?? "";
    expect(Number(healthBefore)).toBeGreaterThan(1);

    expect((await h.call("/v1/feed/step", { method: "POST" })).status).toBe(200);
    await waitForTextChange(page, '[data-testid="market-asof"]', asOfBefore);
    await waitForTextChange(page, '[data-testid="health-acct-directional-perp-01"]', healthBefore);
    const healthAfter = (await healthCell.textContent()) ?? "";
    expect(healthAfter).not.toBe(healthBefore);
    await page.screenshot({ path: join(SCREENSHOTS, "accounts.png"), fullPage: true });
    expect(outside).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("shows an account's breakdown, heatmap, history and backtest, updated live", async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${h.url}/?key=${TEST_API_KEY}#/accounts/acct-btc-strangle-01`);
    await page.locator('[data-testid="heatmap-BTC"] td').first().waitFor();
    await page.locator("#conn[data-state='open']").waitFor();
    expect(await page.locator('[data-testid="heatmap-BTC"] td').count()).toBeGreaterThanOrEqual(27);
    expect(await page.locator('[data-testid="components"] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator("svg path").count()).toBeGreaterThanOrEqual(2);
    // The backtest panel loads after the page: margin and loss lines, one point per exception, the summary line.
    await page.locator('[data-testid="backtest-summary"]').waitFor({ timeout: 15_000 });
    const backtest = page.locator('[data-testid="backtest"]');
    expect(await backtest.locator("svg path").count()).toBe(2);
    expect(await backtest.locator("svg circle").count()).toBeGreaterThanOrEqual(2);
    const bt = (await h.call("/v1/accounts/acct-btc-strangle-01/backtest?days=180")).body as {
      summary: { exceptions: number };
    };
    expect(await backtest.locator("svg circle.mark").count()).toBe(bt.summary.exceptions);
    expect(await backtest.locator("h2").textContent()).toMatch(/^Backtest \(last \d+ days\)$/);
    const equityBefore = (await page.locator('[data-testid="acct-equity"]').textContent()) ?? "";
    const asOfBefore = (await page.locator('[data-testid="acct-asof"]').textContent()) ?? "";

    expect((await h.call("/v1/feed/step", { method: "POST" })).status).toBe(200);
    await waitForTextChange(page, '[data-testid="acct-asof"]', asOfBefore);
    expect((await page.locator('[data-testid="acct-equity"]').textContent()) ?? "").not.toBe(equityBefore);
    // A live re-render keeps the loaded backtest chart.
    expect(await backtest.locator("svg path").count()).toBe(2);
    await page.screenshot({ path: join(SCREENSHOTS, "account-strangle.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("shows the policy rules fired on an account after an admin edits the rulebook", async () => {
    const rulebook = (await h.call("/v1/rulebook")).body.rulebook as { version: number; rules: unknown[] };
    const res = await h.call("/v1/rulebook", {
      method: "PUT",
      body: {
        ...rulebook,
        version: rulebook.version + 1,
        rules: [
          ...rulebook.rules,
          {
            id: "desk-watch",
            description: "Risk desk watch list",
            when: { "==": [{ var: "account.id" }, "acct-btc-strangle-01"] },
            actions: [{ kind: "marginMultiplier", factor: 1.2 }],
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    const page = await browser.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${h.url}/#/accounts/acct-btc-strangle-01`);
    const panel = page.locator('[data-testid="policy"]');
    await panel.waitFor({ timeout: 15_000 });
    expect(await panel.textContent()).toContain("desk-watch");
    expect(await panel.textContent()).toContain("margin x1.2");
    expect(await page.locator('[data-testid="components"]').textContent()).toContain("policy");
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
