import { expect, it } from "vitest";
import * as api from "../../src/index.js";

it("exports exactly the documented public API", () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "MARGIN_MODEL_NAMES",
      "XmarginError",
      "aggregateQuotes",
      "black76",
      "chainProfiles",
      "computeMargin",
      "createVolSurface",
      "defaultAggregationRules",
      "formatUnits",
      "getChainProfile",
      "getToken",
      "impliedVol",
      "marginModels",
      "marketSnapshotSchema",
      "parseDecimal",
      "parseDocument",
      "parseUnits",
      "portfolioSchema",
      "positionGreeks",
      "reportToJson",
      "resolveMarginConfig",
      "resolveMarket",
      "resolvePortfolio",
      "runMarginModel",
      "tokenRepresentations",
      "underlyings",
      "valuePosition",
    ]
  `);
});
