import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { serveCommand } from "../../../src/cli/commands/serveCommand.js";
import { ensureWebBundle } from "../../support/webBundle.js";

it("xmargin serve --demo starts, prints the demo key, serves the dashboard and stops cleanly", async () => {
  ensureWebBundle();
  const dir = mkdtempSync(join(tmpdir(), "xmargin-serve-"));
  const lines: string[] = [];
  let stop: (reason: string) => void = () => {};
  const until = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const done = serveCommand({
    port: "0",
    db: join(dir, "data", "xmargin.db"),
    demo: true,
    interval: "50",
    print: (l) => lines.push(l),
    until,
    onStarted: async (svc) => {
      const page = await fetch(`${svc.url}/`);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(await page.text()).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
      // The replay ticks on its own timer.
      const start = svc.service.market.current!.seq;
      while (svc.service.market.current!.seq < start + 2) await new Promise((r) => setTimeout(r, 20));
      stop("test");
    },
  });
  const summary = await done;
  rmSync(dir, { recursive: true, force: true });
  expect(lines.join("\n")).toMatch(/demo admin API key \(x-api-key, kept in the store\): xm_[0-9a-f]{36}/);
  expect(lines.join("\n")).toContain("7 account(s)");
  expect(summary).toMatch(/^xmargin serve: stopped \(test\) at market seq \d+/);
});
