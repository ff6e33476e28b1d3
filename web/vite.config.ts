import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The dashboard bundle: web/ (TypeScript + Preact, JSX by esbuild) -> dist/dashboard, which the service serves and the npm
 * package ships. Everything is bundled; nothing is loaded from a CDN at run time.
 */
export default defineConfig({
  root: here,
  base: "/",
  publicDir: false,
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: join(here, "..", "dist", "dashboard"),
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    // The service's content security policy allows no inline script or style: keep every asset a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  logLevel: "warn",
});
