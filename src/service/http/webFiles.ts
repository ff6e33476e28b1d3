import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";

const STATIC_FILES: Readonly<Record<string, string>> = {
  "/": "index.html",
  "/index.html": "index.html",
  "/app.js": "app.js",
  "/style.css": "style.css",
};
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};
const CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'";

/** The dashboard's files (read once at start), served with a strict content security policy. Returns their paths. */
export function registerWebFiles(app: FastifyInstance, webDir: string): string[] {
  const served: string[] = [];
  for (const [route, file] of Object.entries(STATIC_FILES)) {
    const path = join(webDir, file);
    if (!existsSync(path)) continue;
    const type = CONTENT_TYPES[file.split(".").pop() ?? ""] ?? "application/octet-stream";
    const body = readFileSync(path, "utf8");
    app.get(route, async (_req, reply) =>
      reply
        .header("content-type", type)
        .header("cache-control", "no-cache")
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", CSP)
        .send(body),
    );
    served.push(route);
  }
  app.get("/favicon.ico", { config: { rateLimit: false } }, async (_req, reply) => reply.code(204).send());
  served.push("/favicon.ico");
  return served;
}
