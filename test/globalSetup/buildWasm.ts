import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Assembles the WAT kernels beside their sources (gitignored) so tests of the TypeScript sources load them. */
export default function setup(): void {
  const script = fileURLToPath(new URL("../../scripts/build-wasm.mjs", import.meta.url));
  execFileSync(process.execPath, [script, "."], { stdio: "inherit" });
}
