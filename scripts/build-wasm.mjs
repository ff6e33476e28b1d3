// Assembles the repository's hand-written WebAssembly text kernels (SIMD) into binaries with WABT from npm.
// Usage: node scripts/build-wasm.mjs [outRoot]  -- writes <outRoot>/src/pricing/wasm/*.wasm (outRoot default dist;
// "." writes beside the sources, gitignored, for the tests that run the TypeScript sources).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outRoot = join(root, process.argv[2] ?? "dist");
const wabt = await wabtInit();
for (const dir of ["src/pricing/wasm"]) {
  for (const name of readdirSync(join(root, dir)).filter((f) => f.endsWith(".wat"))) {
    const module = wabt.parseWat(name, readFileSync(join(root, dir, name), "utf8"), { simd: true });
    try {
      module.validate();
      const { buffer } = module.toBinary({});
      mkdirSync(join(outRoot, dir), { recursive: true });
      writeFileSync(join(outRoot, dir, name.replace(/\.wat$/, ".wasm")), buffer);
    } finally {
      module.destroy();
    }
  }
}
