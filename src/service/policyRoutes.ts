import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { identifier } from "../schema/primitives.js";
import { parseDocument } from "../schema/validate.js";
import { type MarginService, rulebookLabel } from "./marginService.js";
import { HttpError } from "./serviceErrors.js";

const auditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
    account: identifier.optional(),
  })
  .catchall(z.unknown());

const sha256 = (key: string): Buffer => createHash("sha256").update(key).digest();

/**
 * The rulebook endpoints: read the active rulebook and its stored versions, replace it (admin key; re-margins every
 * account), and read the policy audit trail (rulebook changes and the rules fired on each account).
 */
export function registerPolicyRoutes(app: FastifyInstance, service: MarginService, adminKeys: readonly string[]): void {
  const digests = adminKeys.map(sha256);
  /** The admin's audit name: a short digest of the key, never the key itself. */
  const requireAdmin = (req: FastifyRequest): string => {
    if (digests.length === 0)
      throw new HttpError(403, "FORBIDDEN", "rulebook edits are disabled (no admin key configured)");
    const given = req.headers["x-admin-key"];
    const key = Array.isArray(given) ? given[0] : given;
    if (!key) throw new HttpError(401, "UNAUTHORIZED", "this endpoint needs an x-admin-key header");
    const d = sha256(key);
    if (!digests.some((k) => timingSafeEqual(k, d))) throw new HttpError(401, "UNAUTHORIZED", "unknown admin key");
    return `admin:${d.toString("hex").slice(0, 8)}`;
  };
  const query = (req: FastifyRequest) => parseDocument(auditQuery, req.query, "query");

  app.get("/v1/rulebook", async () => ({ label: rulebookLabel(service.rulebook), rulebook: service.rulebook }));

  app.get("/v1/rulebook/versions", async (req) => ({
    name: service.rulebook.name,
    active: service.rulebook.version,
    versions: service.store
      .rulebookVersions(service.rulebook.name, query(req).limit ?? 100)
      .map((r) => ({ version: r.version, createdAt: r.createdAt, actor: r.actor, rulebook: r.document })),
  }));

  app.put("/v1/rulebook", async (req) => {
    const actor = requireAdmin(req);
    if (req.body === undefined || req.body === null) {
      throw new HttpError(400, "INVALID_INPUT", "Rulebook: a JSON body is required", "$");
    }
    const out = service.setRulebook(req.body, actor);
    return { label: rulebookLabel(out.rulebook), recomputed: out.recomputed };
  });

  app.get("/v1/policy/audit", async (req) => {
    const q = query(req);
    return { entries: service.store.policyAudit(q.limit ?? 100, q.account) };
  });
}
