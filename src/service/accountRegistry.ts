import { XmarginError } from "../core/errors.js";
import { type AnyMarginConfig, resolveMarginConfig } from "../margin/resolveConfig.js";
import { portfolioSchema } from "../schema/portfolio.js";
import { parseDocument } from "../schema/validate.js";
import type { AccountRow, MarginStore } from "../store/marginStore.js";
import { bandMetaKey, dependenciesOf, type LiveAccount } from "./liveAccount.js";
import { type BandState, rebalancePolicySchema } from "./rebalancePolicy.js";

/** The accounts the service holds, loaded from the store and validated again (a store is a boundary too). */
export class AccountRegistry {
  readonly accounts = new Map<string, LiveAccount>();

  constructor(
    private readonly store: MarginStore,
    private readonly defaultModel: string,
    log: (line: string) => void,
  ) {
    for (const row of store.listAccounts()) {
      try {
        this.accounts.set(row.accountId, this.fromRow(row));
      } catch (err) {
        log(`stored account ${row.accountId} ignored: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** The account, or NOT_FOUND naming the id. */
  get(accountId: string): LiveAccount {
    const acc = this.accounts.get(accountId);
    if (!acc) throw new XmarginError(`no account "${accountId}"`, { code: "NOT_FOUND", path: "$.accountId" });
    return acc;
  }

  /** Replaces the held account by a stored row (another process wrote it); validated like at start. */
  reload(row: AccountRow): LiveAccount {
    const acc = this.fromRow(row);
    this.accounts.set(row.accountId, acc);
    return acc;
  }

  /** The config document an account runs when its PUT carries none. */
  defaultConfigDoc(): Record<string, unknown> {
    return { model: this.defaultModel };
  }

  private fromRow(row: AccountRow): LiveAccount {
    const portfolio = parseDocument(portfolioSchema, row.portfolio, "Portfolio");
    const configDoc = (row.config ?? this.defaultConfigDoc()) as Record<string, unknown>;
    const config: AnyMarginConfig = resolveMarginConfig(configDoc);
    const policy = row.policy === null ? null : parseDocument(rebalancePolicySchema, row.policy, "RebalancePolicy");
    const band = this.store.getMeta(bandMetaKey(row.accountId)) as BandState | undefined;
    return {
      accountId: row.accountId,
      version: row.version,
      updatedAt: row.updatedAt,
      portfolio,
      configDoc,
      config,
      policy,
      deps: dependenciesOf(portfolio),
      ...(band ? { band } : {}),
    };
  }
}
