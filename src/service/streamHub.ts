import type { WebSocket } from "ws";
import { XmarginError } from "../core/errors.js";
import { parseDocument } from "../schema/validate.js";
import { streamRequestSchema } from "./apiSchemas.js";
import type { Principal } from "./http/auth.js";
import type { MarginService } from "./marginService.js";
import type { StreamLimits } from "./serviceConfig.js";
import type { ServiceEvent } from "./serviceEvents.js";

interface Client {
  socket: WebSocket;
  principal: Principal | null;
  /** Account ids, "*" for all (the ones the caller may read). */
  accounts: Set<string>;
  /** Token bucket of the message-rate limit. */
  tokens: number;
  refilledAtMs: number;
}

/** Most account subscriptions per connection. */
const MAX_SUBSCRIPTIONS = 1000;

/** Close codes: 1008 policy violation (flooding), 1013 try again later (too slow, too many connections). */
const CLOSE_POLICY = 1008;
const CLOSE_TRY_LATER = 1013;

/**
 * The WebSocket side of the service (`/v1/stream`). A client sends `{"type":"subscribe","accounts":["a1"]}` (or
 * `["*"]`) and receives, for the accounts its key may read, the current report once and then `report` messages
 * whenever a tick or a position change moves it, plus `plan` and `account-error` messages. Every client receives
 * `tick` messages. Limits (StreamLimits): total connections, messages per second per connection (a flooding client is
 * closed), unsent bytes per client and in total (the slowest client is dropped). Subscribing again to what a client
 * already has sends nothing new.
 */
export class StreamHub {
  private readonly clients = new Set<Client>();
  readonly stats = { refused: 0, droppedSlow: 0, droppedFlooding: 0 };

  constructor(
    private readonly service: MarginService,
    private readonly limits: StreamLimits,
    private readonly mayRead: (principal: Principal | null, accountId: string) => boolean,
  ) {
    service.on((e) => this.publish(e));
  }

  get size(): number {
    return this.clients.size;
  }

  attach(socket: WebSocket, principal: Principal | null): void {
    if (this.clients.size >= this.limits.maxConnections) {
      this.stats.refused++;
      socket.close(CLOSE_TRY_LATER, "too many connections");
      return;
    }
    const burst = 2 * this.limits.maxMessagesPerSec;
    const client: Client = { socket, principal, accounts: new Set(), tokens: burst, refilledAtMs: Date.now() };
    this.clients.add(client);
    socket.on("close", () => this.clients.delete(client));
    socket.on("error", () => this.clients.delete(client));
    socket.on("message", (data, isBinary) => {
      if (!this.admit(client)) return;
      this.receive(client, isBinary ? "" : String(data));
    });
    const tick = this.service.market.current;
    this.send(client, {
      type: "hello",
      seq: tick?.seq ?? null,
      asOf: tick?.asOf ?? null,
      accounts: this.readable(client, [...this.service.accounts.keys()]).sort(),
    });
  }

  /** Token bucket: false (and the socket closed) when the client sends faster than allowed. */
  private admit(client: Client): boolean {
    const now = Date.now();
    const rate = this.limits.maxMessagesPerSec;
    client.tokens = Math.min(2 * rate, client.tokens + ((now - client.refilledAtMs) / 1000) * rate);
    client.refilledAtMs = now;
    if (client.tokens >= 1) {
      client.tokens -= 1;
      return true;
    }
    this.stats.droppedFlooding++;
    this.drop(client, CLOSE_POLICY, "message rate limit exceeded");
    return false;
  }

  private readable(client: Client, ids: string[]): string[] {
    return ids.filter((id) => this.mayRead(client.principal, id));
  }

  private receive(client: Client, text: string): void {
    let request: ReturnType<typeof streamRequestSchema.parse>;
    try {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new XmarginError("StreamRequest: not valid JSON", { code: "INVALID_INPUT", path: "$" });
      }
      request = parseDocument(streamRequestSchema, json, "StreamRequest");
    } catch (err) {
      const error =
        err instanceof XmarginError
          ? err.toJSON()
          : new XmarginError("bad message", { code: "INVALID_INPUT", path: "$" }).toJSON();
      this.send(client, { type: "error", error });
      return;
    }
    if (request.type === "ping") {
      this.send(client, { type: "pong" });
      return;
    }
    if (request.type === "unsubscribe") {
      for (const a of request.accounts) client.accounts.delete(a);
      this.send(client, { type: "subscribed", accounts: [...client.accounts].sort() });
      return;
    }
    const requested = [...new Set(request.accounts)];
    const forbidden = requested.filter((a) => a !== "*" && !this.mayRead(client.principal, a));
    const unknown = requested.filter((a) => a !== "*" && !forbidden.includes(a) && !this.service.accounts.has(a));
    const added = requested.filter((a) => !forbidden.includes(a) && !client.accounts.has(a));
    if (client.accounts.size + added.length > MAX_SUBSCRIPTIONS) {
      const error = new XmarginError(`at most ${MAX_SUBSCRIPTIONS} subscriptions`, {
        code: "LIMIT_EXCEEDED",
        path: "$.accounts",
      });
      this.send(client, { type: "error", error: error.toJSON() });
      return;
    }
    const hadAll = client.accounts.has("*");
    for (const a of added) client.accounts.add(a);
    this.send(client, {
      type: "subscribed",
      accounts: [...client.accounts].sort(),
      ...(unknown.length ? { unknownAccounts: unknown } : {}),
      ...(forbidden.length ? { forbiddenAccounts: forbidden } : {}),
    });
    // Only newly covered accounts get their current report: a repeated subscribe sends nothing again.
    if (hadAll) return;
    const ids = added.includes("*") ? this.readable(client, [...this.service.accounts.keys()]) : added;
    this.sendCurrent(client, ids);
  }

  private sendCurrent(client: Client, ids: string[]): void {
    const tick = this.service.market.current;
    for (const id of ids) {
      const acc = this.service.accounts.get(id);
      if (!acc || !tick) continue;
      if (acc.reportJson && acc.reportSeq !== undefined) {
        this.send(client, {
          type: "report",
          accountId: id,
          seq: acc.reportSeq,
          asOf: acc.reportJson.asOf,
          reason: "subscribe",
          version: acc.version,
          report: acc.reportJson,
        });
      } else if (acc.error) {
        this.send(client, { type: "account-error", accountId: id, seq: tick.seq, error: acc.error.toJSON() });
      }
    }
  }

  private wants(c: Client, e: ServiceEvent): boolean {
    // Market-wide events (a tick; live mode: a chain's reorg, outage or recovery) go to every client.
    if (e.type === "tick" || e.type === "chain") return true;
    if (!this.mayRead(c.principal, e.accountId)) return false;
    return c.accounts.has("*") || c.accounts.has(e.accountId);
  }

  private publish(e: ServiceEvent): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(e);
    for (const c of this.clients) if (this.wants(c, e)) this.sendText(c, text);
    this.enforceTotal();
  }

  private send(c: Client, message: unknown): void {
    this.sendText(c, JSON.stringify(message));
  }

  private sendText(c: Client, text: string): void {
    if (c.socket.readyState !== c.socket.OPEN) return;
    if (c.socket.bufferedAmount + text.length > this.limits.maxBufferedBytesPerClient) {
      this.stats.droppedSlow++;
      this.drop(c, CLOSE_TRY_LATER, "too slow");
      return;
    }
    c.socket.send(text);
  }

  /** Drops the clients with the largest backlogs until the total unsent bytes are within the limit. */
  private enforceTotal(): void {
    let total = 0;
    for (const c of this.clients) total += c.socket.bufferedAmount;
    if (total <= this.limits.maxBufferedBytesTotal) return;
    const bySize = [...this.clients].sort((a, b) => b.socket.bufferedAmount - a.socket.bufferedAmount);
    for (const c of bySize) {
      if (total <= this.limits.maxBufferedBytesTotal) break;
      total -= c.socket.bufferedAmount;
      this.stats.droppedSlow++;
      this.drop(c, CLOSE_TRY_LATER, "too slow");
    }
  }

  /** Closes a client and forgets it; a socket that does not close in time is destroyed. */
  private drop(c: Client, code: number, reason: string): void {
    this.clients.delete(c);
    c.socket.close(code, reason);
    setTimeout(() => {
      if (c.socket.readyState !== c.socket.CLOSED) c.socket.terminate();
    }, 1000).unref();
  }

  closeAll(): void {
    for (const c of this.clients) c.socket.close(1001, "server shutting down");
    this.clients.clear();
  }
}
