import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";

/** Where the API docs page and its assets are served. */
export const DOCS_URL = "/docs";

/**
 * The docs page's policy: scripts and styles only from the service itself (Swagger UI sets inline styles on its
 * elements, hence 'unsafe-inline' for styles only), images also as data: URIs, nothing from a CDN.
 */
export const DOCS_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'";

/** The rendered docs page: Swagger UI (swagger-ui-dist, from the package's dependencies) on /openapi.json. */
export function docsPageHtml(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${DOCS_URL}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_URL}/swagger-ui-bundle.js"></script>
<script src="${DOCS_URL}/init.js"></script>
</body>
</html>
`;
}

/** Starts Swagger UI on the service's own OpenAPI document (a file, not inline: the CSP allows no inline script). */
const INIT_JS = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });\n`;

/**
 * Serves Swagger UI's assets from the installed swagger-ui-dist package (read once at start; no CDN). Returns the
 * paths served.
 */
export function registerDocsAssets(app: FastifyInstance): string[] {
  const dir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const files: ReadonlyArray<[string, string, string]> = [
    [`${DOCS_URL}/swagger-ui.css`, readFileSync(join(dir, "swagger-ui.css"), "utf8"), "text/css; charset=utf-8"],
    [
      `${DOCS_URL}/swagger-ui-bundle.js`,
      readFileSync(join(dir, "swagger-ui-bundle.js"), "utf8"),
      "text/javascript; charset=utf-8",
    ],
    [`${DOCS_URL}/init.js`, INIT_JS, "text/javascript; charset=utf-8"],
  ];
  for (const [url, body, type] of files) {
    app.get(url, async (_req, reply) =>
      reply
        .header("content-type", type)
        .header("cache-control", "public, max-age=3600")
        .header("x-content-type-options", "nosniff")
        .send(body),
    );
  }
  return files.map(([url]) => url);
}
