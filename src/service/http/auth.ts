import { createHash, timingSafeEqual } from "node:crypto";
import { XmarginError } from "../../core/errors.js";
import type { ApiKeyConfig } from "../serviceConfig.js";
import type { Access } from "./route.js";

/** The caller a key identifies: which accounts it may read (and write), and whether it may administer the market. */
export interface Principal {
  admin: boolean;
  /** "*" = every account. */
  accounts: "*" | ReadonlySet<string>;
  write: boolean;
}

interface KeyEntry {
  digest: Buffer;
  principal: Principal;
}

function digest(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

/** A plain string key is an admin key (what `apiKeys: ["..."]` always meant); objects are scoped. */
export function principalOf(entry: ApiKeyConfig): { key: string; principal: Principal } {
  if (typeof entry === "string") return { key: entry, principal: { admin: true, accounts: "*", write: true } };
  return {
    key: entry.key,
    principal: {
      admin: entry.admin,
      accounts: entry.admin || entry.accounts.includes("*") ? "*" : new Set(entry.accounts),
      write: entry.admin || entry.write,
    },
  };
}

/** The key of a plain-string or scoped entry. */
export function keyOf(entry: ApiKeyConfig): string {
  return typeof entry === "string" ? entry : entry.key;
}

export function canSee(p: Principal, accountId: string): boolean {
  return p.accounts === "*" || p.accounts.has(accountId);
}

/**
 * Checks `x-api-key` (or, for the WebSocket, the `key` query parameter that browsers can send) against the configured
 * keys in constant time per key, and the caller's scope against a route's access.
 */
export class KeyRing {
  private readonly entries: KeyEntry[];

  constructor(
    keys: readonly ApiKeyConfig[],
    private readonly publicRead: boolean,
  ) {
    this.entries = keys.map((k) => {
      const { key, principal } = principalOf(k);
      return { digest: digest(key), principal };
    });
  }

  /** The principal of a presented key; null when none is presented; UNAUTHORIZED when it is unknown. */
  identify(key: string | undefined): Principal | null {
    if (key === undefined || key === "") return null;
    const d = digest(key);
    let found: Principal | null = null;
    for (const e of this.entries) if (timingSafeEqual(e.digest, d)) found = e.principal;
    if (!found) throw new XmarginError("unknown API key", { code: "UNAUTHORIZED" });
    return found;
  }

  /** Throws UNAUTHORIZED (no key where one is needed) or FORBIDDEN (a key without the scope). */
  authorise(access: Access, principal: Principal | null, accountId: string | undefined): void {
    if (access === "open") return;
    const readOnly = access === "read" || access === "account-read";
    if (principal === null) {
      if (readOnly && this.publicRead) return;
      throw new XmarginError("this endpoint needs an x-api-key header", { code: "UNAUTHORIZED" });
    }
    if (principal.admin) return;
    if (access === "admin") throw new XmarginError("this endpoint needs an admin key", { code: "FORBIDDEN" });
    if (access === "read") return;
    if (accountId === undefined || !canSee(principal, accountId)) {
      throw new XmarginError(`this key has no access to account "${accountId ?? ""}"`, {
        code: "FORBIDDEN",
        path: "$.accountId",
      });
    }
    if (access === "account-write" && !principal.write) {
      throw new XmarginError("this key may only read", { code: "FORBIDDEN" });
    }
  }

  /** Whether a caller may read an account (lists and the stream filter by this). */
  mayRead(principal: Principal | null, accountId: string): boolean {
    if (principal === null) return this.publicRead;
    return principal.admin || canSee(principal, accountId);
  }
}

/** Host names that always reach a loopback-bound service. */
const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

/** Strips the port from a Host header value (`[::1]:8080` -> `[::1]`). */
export function hostName(hostHeader: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(hostHeader.trim().toLowerCase());
  return m ? m[1]! : "";
}

/**
 * Host and Origin allow-list, against DNS rebinding and cross-site reads: the Host header must name the service
 * (loopback names, the bound host, or a configured name); an Origin, when a browser sends one, must be the service's
 * own origin (same host) or a configured one.
 */
export class OriginGuard {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(bindHost: string, allowedHosts: readonly string[], allowedOrigins: readonly string[]) {
    const bound = bindHost.includes(":") && !bindHost.startsWith("[") ? `[${bindHost}]` : bindHost;
    this.hosts = new Set([...LOOPBACK_HOSTS, bound.toLowerCase(), ...allowedHosts.map((h) => h.toLowerCase())]);
    this.origins = new Set(allowedOrigins.map((o) => o.toLowerCase().replace(/\/$/, "")));
  }

  check(hostHeader: string | undefined, origin: string | undefined): void {
    const host = hostName(hostHeader ?? "");
    if (!this.hosts.has(host)) {
      throw new XmarginError(`host "${host}" is not served here`, {
        code: "FORBIDDEN",
        details: "add it to allowedHosts",
      });
    }
    if (origin === undefined) return;
    const o = origin.toLowerCase().replace(/\/$/, "");
    if (this.origins.has(o)) return;
    let originHost: string;
    try {
      originHost = new URL(o).host;
    } catch {
      originHost = "";
    }
    if (originHost !== "" && originHost === (hostHeader ?? "").toLowerCase()) return;
    throw new XmarginError(`origin ${origin} is not allowed`, {
      code: "FORBIDDEN",
      details: "add it to allowedOrigins",
    });
  }
}
