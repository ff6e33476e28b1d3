import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { FastifyInstance } from "fastify";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  woff2: "font/woff2",
};
const CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'";

/** Every file under `dir`, as paths relative to it with forward slashes. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

/**
 * The dashboard's built files (`npm run build` -> dist/dashboard; read once at start), served with a strict content security
 * policy: `/` is index.html, every other file at its own path (Vite's hashed assets may be cached for good). Returns
 * the served paths; none when the bundle is missing (the caller says so).
 */
export function registerWebFiles(app: FastifyInstance, webDir: string): string[] {
  const served: string[] = [];
  const files = existsSync(join(webDir, "index.html")) ? filesUnder(webDir) : [];
  for (const file of files) {
    const type = CONTENT_TYPES[file.split(".").pop() ?? ""];
    if (!type) continue;
    const body = readFileSync(join(webDir, file));
    const immutable = file.startsWith("assets/");
    const routes = file === "index.html" ? ["/", "/index.html"] : [`/${file}`];
    for (const route of routes) {
      app.get(route, async (_req, reply) =>
        reply
          .header("content-type", type)
          .header("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache")
          .header("x-content-type-options", "nosniff")
          .header("content-security-policy", CSP)
          .send(body),
      );
      served.push(route);
    }
  }
  app.get("/favicon.ico", { config: { rateLimit: false } }, async (_req, reply) => reply.code(204).send());
  served.push("/favicon.ico");
  return served;
}
