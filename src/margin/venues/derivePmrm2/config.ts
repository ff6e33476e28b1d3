/**
 * MarginConfig of the `derive-pmrm2` model: PMRM_2 parameters plus how an xmargin portfolio maps to Derive
 * sub-accounts (cash token, collateral haircuts, oracle confidence). Defaults and their sources: docs/models/derive-pmrm2.md.
 */
import { z } from "zod";
import { pmrm2MainnetDefaults } from "./defaults.js";
import { pmrm2ParamsSchema } from "./params.js";

const haircutPair = z
  .object({
    /** MM haircut as a fraction of the collateral's value. */
    mmHaircut: z.number().min(0).max(1),
    /** IM haircut charged on top of the MM one. */
    imHaircut: z.number().min(0).max(1),
  })
  .strict()
  .refine((h) => h.mmHaircut + h.imHaircut <= 1, {
    message: "mmHaircut + imHaircut must be at most 1",
    path: ["imHaircut"],
  });

export const derivePmrm2ConfigSchema = z
  .object({
    model: z.literal("derive-pmrm2"),
    params: pmrm2ParamsSchema,
    /** Token symbol that is Derive's cash asset (the numeraire): its balances are cash, and its USD feed is p_stab. */
    cashToken: z.string().min(1).max(64),
    /** Most assets (option balances, collaterals, perp, cash) one portfolio-margined sub-account may hold. */
    maxAssetsPerSubAccount: z.number().int().min(1).max(10_000),
    collateral: z
      .object({
        /** The sub-account's own underlying (WETH for ETH options): moves with spot in scenarios. */
        riskCancelling: haircutPair,
        /** A liquid-staking token of the underlying (stETH, wstETH): risk-cancelling, with more haircut. */
        riskCancellingLst: haircutPair,
        /** Another volatile token (BTC in an ETH sub-account): constant in scenarios. */
        otherVolatile: haircutPair,
        /** A stable coin other than the cash token. */
        stablecoin: haircutPair,
        /** Per-token overrides by symbol (e.g. "USDT"). */
        bySymbol: z.record(z.string().min(1).max(64), haircutPair),
      })
      .strict(),
    /**
     * xmargin's oracle-band add-on on top of Derive's figures (the same one every xmargin model has): each exposure
     * times its feed's relative band, plus `staleAddOnRel` where every source is stale. It makes diverging, stale or
     * uncertain data raise margin, which Derive's confidence add-on alone does not (it only charges below a
     * threshold). Off gives Derive's numbers exactly.
     */
    oracleBandAddOn: z.object({ enabled: z.boolean(), staleAddOnRel: z.number().min(0).max(1) }).strict(),
    confidence: z
      .object({
        /**
         * Relative oracle band (uncertainty / price) at which a feed's confidence reaches 0; confidence is
         * 1 - band / this, floored at 0.
         */
        bandAtZeroConfidence: z.number().gt(0).max(1),
        /** Confidence of a feed all of whose sources are stale. */
        staleConfidence: z.number().min(0).max(1),
      })
      .strict(),
  })
  .strict();

export type DerivePmrm2Config = z.infer<typeof derivePmrm2ConfigSchema>;

/**
 * Defaults: Derive's mainnet parameter set (see `pmrm2MainnetDefaults`), USDC as cash, at most 100 assets per
 * sub-account (Derive docs, "Portfolio Margin Parameters": "constrained by compute"); collateral haircuts from the
 * collateral parameters of Derive's golden cases (underlying 2% / 1%, e.g. spec section 11; liquid-staking token
 * 3% / 1.5% and another volatile token 15% / 5%, test_13; USDT 2% / 3%, test_13), the confidence mapping is
 * xmargin's own: a 10% oracle band gives confidence 0, a stale feed gives 0 (fail-safe: it charges the IM
 * confidence add-on in full); xmargin's oracle-band add-on is on, with the other models' 5% for stale feeds.
 */
export const derivePmrm2Defaults: DerivePmrm2Config = {
  model: "derive-pmrm2",
  params: pmrm2MainnetDefaults,
  cashToken: "USDC",
  maxAssetsPerSubAccount: 100,
  collateral: {
    riskCancelling: { mmHaircut: 0.02, imHaircut: 0.01 },
    riskCancellingLst: { mmHaircut: 0.03, imHaircut: 0.015 },
    otherVolatile: { mmHaircut: 0.15, imHaircut: 0.05 },
    stablecoin: { mmHaircut: 0.02, imHaircut: 0.03 },
    bySymbol: {},
  },
  oracleBandAddOn: { enabled: true, staleAddOnRel: 0.05 },
  confidence: { bandAtZeroConfidence: 0.1, staleConfidence: 0 },
};
