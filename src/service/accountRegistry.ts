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

  private constructor(private readonly defaultModel: string) {}

  /** Loads every stored account with its rebalancing band state; an account that no longer validates is logged. */
  static async load(store: MarginStore, defaultModel: string, log: (line: string) => void): Promise<AccountRegistry> {
    const registry = new AccountRegistry(defaultModel);
    const bands = await store.listMeta(bandMetaKey(""));
    for (const row of await store.listAccounts()) {
      try {
        registry.accounts.set(row.accountId, registry.fromRow(row, bands.get(bandMetaKey(row.accountId))));
      } catch (err) {
        log(`stored account ${row.accountId} ignored: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return registry;
  }

  /** An empty registry (a figures-mode worker loads the accounts of the shards it works, one shard at a time). */
  static empty(defaultModel: string): AccountRegistry {
    return new AccountRegistry(defaultModel);
  }

  /** The account, or NOT_FOUND naming the id. */
  get(accountId: string): LiveAccount {
    const acc = this.accounts.get(accountId);
    if (!acc) throw new XmarginError(`no account "${accountId}"`, { code: "NOT_FOUND", path: "$.accountId" });
    return acc;
  }

  /** Replaces the held account by a stored row (another process wrote it); validated like at start. */
  reload(row: AccountRow, storedBand?: string): LiveAccount {
    const acc = this.fromRow(row, storedBand);
    this.accounts.set(row.accountId, acc);
    return acc;
  }

  /** The config document an account runs when its PUT carries none. */
  defaultConfigDoc(): Record<string, unknown> {
    return { model: this.defaultModel };
  }

  /** Resolved configs by document text: accounts with the same config share one (validated once, not per account). */
  private readonly configs = new Map<string, AnyMarginConfig>();

  private configOf(configDoc: Record<string, unknown>): AnyMarginConfig {
    const key = JSON.stringify(configDoc);
    let config = this.configs.get(key);
    if (!config) {
      config = resolveMarginConfig(configDoc);
      this.configs.set(key, config);
    }
    return config;
  }

  private fromRow(row: AccountRow, storedBand: string | undefined): LiveAccount {
    const portfolio = parseDocument(portfolioSchema, row.portfolio, "Portfolio");
    const configDoc = (row.config ?? this.defaultConfigDoc()) as Record<string, unknown>;
    const config = this.configOf(configDoc);
    const policy = row.policy === null ? null : parseDocument(rebalancePolicySchema, row.policy, "RebalancePolicy");
    const band = storedBand as BandState | undefined;
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
