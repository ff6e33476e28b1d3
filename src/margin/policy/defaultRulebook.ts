import raw from "./defaultRulebook.json" with { type: "json" };
import { parseRulebook, type Rulebook } from "./rulebook.js";

/** The rulebook every model's report is evaluated against unless the caller gives another (anchors: docs/rules.md). */
export const DEFAULT_RULEBOOK: Rulebook = parseRulebook(raw, "$(defaultRulebook.json)");
