import { describe, expect, it } from "vitest";
import { allChainsFeedKey, chainFeedKey, parseFeedKey } from "../../../src/oracles/feedKey.js";

describe("feed keys", () => {
  it("spell all-chain and per-chain keys and parse them back", () => {
    expect(allChainsFeedKey("ETH")).toBe("*:ETH");
    expect(chainFeedKey("arbitrum", "wstETH")).toBe("arbitrum:wstETH");
    expect(parseFeedKey("*:ETH")).toEqual({ chain: undefined, symbol: "ETH" });
    expect(parseFeedKey("arbitrum:wstETH")).toEqual({ chain: "arbitrum", symbol: "wstETH" });
  });
});
