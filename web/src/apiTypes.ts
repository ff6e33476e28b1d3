/**
 * The dashboard's view of the API, inferred from the service's own zod schemas and JSON mappers (type imports only:
 * nothing of the engine is bundled). A change of a report or answer field breaks `tsc -p web` and the build.
 */
import type { z } from "zod";
import type { WhatIf } from "../../src/liquidation/whatIf.js";
import type { MarginReportJson } from "../../src/margin/reportJson.js";
import type { BacktestJson } from "../../src/service/accountBacktest.js";
import type {
  accountSummarySchema,
  marketsResponseSchema,
  whatIfResponseSchema,
} from "../../src/service/apiSchemas.js";
import type {
  AccountGreeksJson,
  AccountHealthJson,
  MarketOraclesJson,
  VolSurfacesJson,
} from "../../src/service/dashboardSchemas.js";
import type { accountJson, marginHistoryJson, planJson } from "../../src/service/http/responseJson.js";
import type { MarginService } from "../../src/service/marginService.js";
import type { ServiceEvent } from "../../src/service/serviceEvents.js";

export type {
  AccountGreeksJson,
  AccountHealthJson,
  BacktestJson,
  MarginReportJson,
  MarketOraclesJson,
  VolSurfacesJson,
};
export type AccountSummary = z.infer<typeof accountSummarySchema>;
export type AccountList = { accounts: AccountSummary[] };
export type Markets = z.infer<typeof marketsResponseSchema>;
export type PriceRow = Markets["prices"][number];
export type Flag = MarginReportJson["flags"][number];
export type WhatIfResponse = z.infer<typeof whatIfResponseSchema>;
/** The what-if document as the request carries it (input form: omitted lists default to none). */
export type WhatIfDoc = Partial<WhatIf>;
export type AccountDetail = ReturnType<typeof accountJson>;
export type AccountMargin = { accountId: string; version: number } & ReturnType<MarginService["accountReport"]>;
export type HistoryRow = ReturnType<typeof marginHistoryJson>;
export type PlanRow = ReturnType<typeof planJson>;

type ReportEvent = Extract<ServiceEvent, { type: "report" }>;

/** The stream's messages: the service's events (a report's reason may also be "subscribe") and the hub's own. */
export type StreamMessage =
  | Exclude<ServiceEvent, { type: "report" }>
  | (Omit<ReportEvent, "reason"> & { reason: ReportEvent["reason"] | "subscribe" })
  | { type: "hello"; seq: number | null; asOf: string | null; accounts: string[] }
  | { type: "subscribed" | "pong" | "error" };
