import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
export const WEB_BUNDLE_DIR = join(ROOT, "dist", "dashboard");

/** Newest modification time of the dashboard's sources (web/), ms. */
function newestSourceMs(): number {
  const dir = join(ROOT, "web");
  return Math.max(
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => statSync(join(e.parentPath, e.name)).mtimeMs),
  );
}

/**
 * Builds the dashboard bundle (`npm run build:web`: tsc then Vite) when it is missing or older than its sources, so
 * a browser or package test run on its own never tests a stale dashboard. `npm test` builds it before vitest.
 */
export function ensureWebBundle(): void {
  const index = join(WEB_BUNDLE_DIR, "index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newestSourceMs()) return;
  execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "--silent", "build:web"], {
    cwd: ROOT,
    stdio: "pipe",
  });
}
