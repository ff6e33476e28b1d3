import type { ReplayResult } from "../../backtest/replay.js";
import type { XmarginErrorJson } from "../../core/errors.js";
import type { Rulebook } from "../../margin/policy/rulebook.js";
import type { MarginReport } from "../../margin/report.js";
import type { MarginReportJson } from "../../margin/reportJson.js";
import type { MarketSnapshot } from "../../schema/marketSnapshot.js";
import type { Portfolio } from "../../schema/portfolio.js";
import type { HealthStamp } from "../accountRisk.js";
import type { AccountHealthJson } from "../dashboardSchemas.js";

/** A heavy call as the main thread sends it to a compute worker (plain data; structured-clone safe). */
export type ComputeJob =
  | {
      kind: "margin";
      portfolio: Portfolio;
      snapshot: MarketSnapshot;
      configDoc: unknown;
      fromRequest: boolean;
      /** Send the MarginReport object back too (a stored account's tick: the rebalancer reads it). */
      full?: boolean;
      /** The service's active rulebook (the built-in default when absent). */
      rulebook?: Rulebook;
    }
  | {
      kind: "backtest";
      historyDir: string;
      template?: Pick<MarketSnapshot, "bridges" | "chains">;
      portfolio: Portfolio;
      configDoc: unknown;
      end: string;
      windowDays: number;
    }
  | {
      /** Liquidation prices of a stored account (the dashboard's `/health`): dozens of model runs. */
      kind: "health";
      portfolio: Portfolio;
      snapshot: MarketSnapshot;
      configDoc: unknown;
      stamp: HealthStamp;
    };

export type ComputeResult =
  | { kind: "margin"; report: MarginReportJson; full?: MarginReport }
  | { kind: "backtest"; replay: ReplayResult }
  | { kind: "health"; health: AccountHealthJson };

export type ComputeReply =
  | { id: number; ok: true; result: ComputeResult }
  | { id: number; ok: false; error: XmarginErrorJson & { path?: string } };
