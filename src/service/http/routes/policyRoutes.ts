import { z } from "zod";
import { identifier } from "../../../schema/primitives.js";
import { rulebookLabel } from "../../marginService.js";
import {
  policyAuditResponseSchema,
  rulebookPutResponseSchema,
  rulebookResponseSchema,
  rulebookVersionsResponseSchema,
} from "../../responseSchemas.js";
import type { HttpContext } from "../httpContext.js";
import { defineRoute, type Route } from "../route.js";

const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(10_000).optional() }).strict();
const auditQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(10_000).optional(), account: identifier.optional() })
  .strict();

/**
 * The policy rulebook (docs/rules.md): read the active one and its stored versions, replace it (admin; every account
 * is re-margined with it), and read the audit trail of rulebook edits and of the rules firing on each account.
 */
export function policyRoutes(ctx: HttpContext): Route[] {
  const { service } = ctx;
  return [
    defineRoute({
      method: "GET",
      url: "/v1/rulebook",
      summary: "the active policy rulebook",
      access: "read",
      ok: { description: "label and rulebook", schema: { name: "ActiveRulebook", zod: rulebookResponseSchema } },
      handle: () => ({ label: rulebookLabel(service.rulebook), rulebook: service.rulebook }),
    }),
    defineRoute({
      method: "PUT",
      url: "/v1/rulebook",
      summary: "store the next rulebook version (version = active + 1), audit it and re-margin every account",
      access: "admin",
      body: { name: "Rulebook", schema: z.unknown() },
      ok: {
        description: "active label and the re-margined accounts",
        schema: { name: "RulebookPutResult", zod: rulebookPutResponseSchema },
      },
      errors: { 409: "version is not the active version + 1" },
      handle: async ({ body }) => {
        const out = await service.setRulebook(body, "admin");
        return { label: rulebookLabel(out.rulebook), recomputed: out.recomputed };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/v1/rulebook/versions",
      summary: "stored rulebook versions, newest first",
      access: "read",
      query: limitQuery,
      ok: { description: "versions", schema: { name: "RulebookVersions", zod: rulebookVersionsResponseSchema } },
      handle: async ({ query }) => ({
        name: service.rulebook.name,
        active: service.rulebook.version,
        versions: (await service.store.rulebookVersions(service.rulebook.name, query.limit ?? 100)).map((r) => ({
          version: r.version,
          createdAt: r.createdAt,
          actor: r.actor,
          rulebook: r.document,
        })),
      }),
    }),
    defineRoute({
      method: "GET",
      url: "/v1/policy/audit",
      summary: "policy audit trail: rulebook edits and, per account, changes of the rules firing on it",
      access: "read",
      query: auditQuery,
      ok: { description: "entries, newest first", schema: { name: "PolicyAudit", zod: policyAuditResponseSchema } },
      handle: async ({ query }) => ({ entries: await service.store.policyAudit(query.limit ?? 100, query.account) }),
    }),
  ];
}
