import { parseIsoToSec } from "../core/time.js";
import { replayTimeSec } from "./sources/replaySource.js";
import type { SourcesConfig } from "./sourcesConfig.js";

/**
 * The snapshot time a config asks for: its `asOf` when given; else, for a replay-only config (no chains, no pyth),
 * the end of the replay day; else `clockSec` (the caller's clock, read by the caller). Pure.
 */
export function snapshotTimeSec(config: SourcesConfig, clockSec: number): number {
  if (config.asOf !== undefined) return parseIsoToSec(config.asOf, "$.asOf");
  if (config.replay && config.chains.length === 0 && !config.pyth) return replayTimeSec(config.replay);
  return clockSec;
}
