import type { BatchResultColumns } from "./batchGridEngine.js";

const EMPTY = new Float64Array(0);

/**
 * What both batch engines show their callers: account ids and result columns, entry by entry (an account's index in
 * the single engine, its slot in the sharded one). The columns are views of the current arrays: read them again after
 * adding an account, which may move them to larger ones.
 */
export class ResultViews implements BatchResultColumns {
  protected readonly ids: string[] = [];
  protected views: BatchResultColumns = {
    initialMarginUsd: EMPTY,
    maintenanceMarginUsd: EMPTY,
    collateralValueUsd: EMPTY,
  };

  /** Entries given out, removed accounts' included. */
  get nAccounts(): number {
    return this.ids.length;
  }
  get accountIds(): readonly string[] {
    return this.ids;
  }
  get initialMarginUsd(): Float64Array {
    return this.views.initialMarginUsd;
  }
  get maintenanceMarginUsd(): Float64Array {
    return this.views.maintenanceMarginUsd;
  }
  get collateralValueUsd(): Float64Array {
    return this.views.collateralValueUsd;
  }
}
