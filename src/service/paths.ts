import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root, from dist/src/service/paths.js or src/service/paths.ts. */
export const REPO_ROOT = join(
  dirname(fileURLToPath(import.meta.url)),
  import.meta.url.includes("/dist/") ? "../../.." : "../..",
);

/**
 * Default folders the service reads: the dashboard as `npm run build` bundles it (web/ -> dist/dashboard), the examples and
 * the shared price history beside the repo.
 */
export const DEFAULT_WEB_DIR = join(REPO_ROOT, "dist", "dashboard");
export const DEFAULT_EXAMPLES_DIR = join(REPO_ROOT, "examples");
export const DEFAULT_HISTORY_DIR = join(REPO_ROOT, "..", "shared", "data");
