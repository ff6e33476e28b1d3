import { z } from "zod";
import { FAILURE_REASONS, type FailureReason } from "../core/errors.js";
import { MARGIN_MODEL_NAMES } from "../margin/models.js";
import { marketSnapshotSchema, oracleQuoteSchema } from "../schema/marketSnapshot.js";
import { portfolioSchema } from "../schema/portfolio.js";
import { identifier, isoTime } from "../schema/primitives.js";
import { rebalancePolicySchema } from "./rebalancePolicy.js";

/**
 * A MarginConfig as a request carries it: the model name is checked here, the model's own parameters by
 * `resolveMarginConfig` (errors at `$.config.<field>`).
 */
export const marginConfigDocSchema = z
  .object({ model: z.enum(MARGIN_MODEL_NAMES as [string, ...string[]]) })
  .catchall(z.unknown());

/** `POST /v1/margin`: a portfolio, optionally a market snapshot (default: the live market) and a config. */
export const marginRequestSchema = z
  .object({
    portfolio: portfolioSchema,
    market: marketSnapshotSchema.optional(),
    config: marginConfigDocSchema.optional(),
  })
  .strict();

/** `PUT /v1/accounts/:id`: the stored portfolio, its margin config and its rebalancing policy. */
export const accountPutSchema = z
  .object({
    portfolio: portfolioSchema,
    config: marginConfigDocSchema.optional(),
    /** null removes the policy. */
    policy: rebalancePolicySchema.nullable().optional(),
  })
  .strict();

/** `POST /v1/markets/quotes`: oracle quotes pushed into the live market (replace same source/chain/feed). */
export const quotesPushSchema = z
  .object({
    quotes: z.array(oracleQuoteSchema).min(1).max(1000),
    /** Moves the market clock as well (default: keep asOf). */
    asOf: isoTime.optional(),
  })
  .strict();

/** `POST /v1/whatif`: a stored account (`accountId`) or a given `portfolio`, and the what-if document. */
export function whatIfRequestSchema(whatIfDoc: z.ZodType) {
  return z
    .object({
      accountId: identifier.optional(),
      portfolio: portfolioSchema.optional(),
      market: marketSnapshotSchema.optional(),
      config: marginConfigDocSchema.optional(),
      whatIf: whatIfDoc,
    })
    .strict()
    .refine((r) => (r.accountId === undefined) !== (r.portfolio === undefined), {
      message: "give exactly one of accountId or portfolio",
      path: ["accountId"],
    });
}

/** A WebSocket message from a client. */
export const streamRequestSchema = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("subscribe"),
      /** Account ids, or ["*"] for every account. */
      accounts: z.array(z.union([identifier, z.literal("*")])).max(1000),
    })
    .strict(),
  z.object({ type: z.literal("unsubscribe"), accounts: z.array(z.union([identifier, z.literal("*")])) }).strict(),
  z.object({ type: z.literal("ping") }).strict(),
]);

export type StreamRequest = z.infer<typeof streamRequestSchema>;

const usd = z.string().describe("USD amount as a decimal string, 2 decimals");
const dec = z.string().describe("decimal string");
const flag = z.object({
  code: z.string(),
  severity: z.enum(["info", "warning", "critical"]),
  message: z.string(),
  path: z.string().optional(),
  feed: z.string().optional().describe("market flags: the feed symbol the flag is about"),
});
const group = {
  equity: usd,
  collateralValue: usd,
  maintenanceCollateralValue: usd,
  initialMargin: usd,
  maintenanceMargin: usd,
};

/** The JSON form of a MarginReport (src/margin/reportJson.ts), for the OpenAPI document and the tests. */
export const marginReportJsonSchema = z.object({
  model: z.string(),
  accountId: z.string(),
  asOf: z.string(),
  currency: z.literal("USD"),
  equity: usd,
  collateralValue: usd,
  maintenanceCollateralValue: usd,
  initialMargin: usd,
  maintenanceMargin: usd,
  freeCollateral: usd,
  healthRatio: dec.nullable(),
  components: z.array(
    z.object({
      id: z.string().describe("stable component id (docs/documents.md)"),
      name: z.string(),
      initialMargin: usd,
      maintenanceMargin: usd,
      detail: z.string(),
    }),
  ),
  breakdown: z.object({
    byPosition: z.array(
      z.object({
        id: z.string(),
        path: z.string(),
        label: z.string(),
        kind: z.string(),
        chain: z.string(),
        underlying: z.string(),
        value: usd,
        collateralValue: usd,
        maintenanceCollateralValue: usd,
        initialMargin: usd,
        maintenanceMargin: usd,
        horizonDays: dec.optional(),
      }),
    ),
    byChain: z.array(z.object({ chain: z.string(), ...group })),
    byUnderlying: z.array(z.object({ underlying: z.string(), ...group })),
  }),
  scenarios: z.array(
    z.object({
      underlying: z.string(),
      worstScenarioId: z.string(),
      worstLoss: usd,
      scenarios: z.array(z.object({ id: z.string(), spotShock: dec, volShock: dec, weight: dec, pnl: usd })),
    }),
  ),
  worstPaths: z.array(z.object({ id: z.string(), loss: usd, factorMoves: z.record(z.string(), dec) })).optional(),
  /** Fired rules of the active rulebook (absent when none fired). */
  policy: z
    .object({
      rulebook: z.string(),
      fired: z.array(
        z.object({
          ruleId: z.string(),
          description: z.string(),
          anchor: z.string().optional(),
          effects: z.array(z.string()),
        }),
      ),
      reduceOnly: z.boolean(),
      blockWithdrawals: z.boolean(),
      alerts: z.array(
        z.object({ ruleId: z.string(), severity: z.enum(["info", "warning", "critical"]), message: z.string() }),
      ),
    })
    .optional(),
  flags: z.array(flag),
});

const groupChange = z.object({
  key: z.string(),
  initialMarginBefore: usd,
  initialMarginAfter: usd,
  initialMarginChange: usd,
  equityChange: usd,
});

/** `POST /v1/whatif` answer. */
export const whatIfResponseSchema = z.object({
  before: marginReportJsonSchema,
  after: marginReportJsonSchema,
  diff: z.object({
    equity: usd,
    initialMargin: usd,
    maintenanceMargin: usd,
    freeCollateral: usd,
    healthRatio: dec.nullable(),
    byChain: z.array(groupChange),
    byUnderlying: z.array(groupChange),
  }),
  portfolio: portfolioSchema,
});

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(FAILURE_REASONS) as [FailureReason, ...FailureReason[]]),
    path: z.string().optional().describe("JSON path of the bad field, e.g. $.portfolio.positions[0].strike"),
    message: z.string(),
    details: z.string().optional(),
    docsPath: z.string().describe("page of docs/ that explains this failure"),
  }),
});

/** One account in `GET /v1/accounts`. */
export const accountSummarySchema = z.object({
  accountId: z.string(),
  version: z.number(),
  updatedAt: z.string(),
  model: z.string(),
  description: z.string().optional(),
  seq: z.number().nullable(),
  asOf: z.string().nullable(),
  equity: usd.nullable(),
  initialMargin: usd.nullable(),
  maintenanceMargin: usd.nullable(),
  freeCollateral: usd.nullable(),
  healthRatio: dec.nullable(),
  band: z.string().nullable(),
  flags: z.object({ critical: z.number(), warning: z.number(), info: z.number() }),
  error: errorResponseSchema.shape.error.nullable(),
});

export const marketsResponseSchema = z.object({
  seq: z.number(),
  asOf: z.string(),
  source: z.string(),
  prices: z.array(
    z.object({
      symbol: z.string(),
      kind: z.enum(["underlying", "token"]),
      price: dec,
      uncertainty: dec,
      freshSources: z.number(),
      totalSources: z.number(),
      flags: z.array(flag),
    }),
  ),
  flags: z.array(flag),
});
