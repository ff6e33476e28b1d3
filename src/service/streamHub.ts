import type { WebSocket } from "ws";
import { XmarginError } from "../core/errors.js";
import { parseDocument } from "../schema/validate.js";
import { streamRequestSchema } from "./apiSchemas.js";
import type { MarginService, ServiceEvent } from "./marginService.js";

interface Client {
  socket: WebSocket;
  /** Account ids, "*" for all. */
  accounts: Set<string>;
}

/** Most account subscriptions per connection. */
const MAX_SUBSCRIPTIONS = 1000;

/** Largest backlog of unsent bytes before a slow client is dropped. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * The WebSocket side of the service (`/v1/stream`). A client sends `{"type":"subscribe","accounts":["a1"]}` (or
 * `["*"]`) and receives, for those accounts, the current report at once and then `report` messages whenever a tick or
 * a position change moves it, plus `plan` and `account-error` messages. Every client receives `tick` messages
 * (sequence, time, changed feeds, recomputed accounts, prices).
 */
export class StreamHub {
  private readonly clients = new Set<Client>();

  constructor(private readonly service: MarginService) {
    service.on((e) => this.publish(e));
  }

  get size(): number {
    return this.clients.size;
  }

  attach(socket: WebSocket): void {
    const client: Client = { socket, accounts: new Set() };
    this.clients.add(client);
    socket.on("close", () => this.clients.delete(client));
    socket.on("error", () => this.clients.delete(client));
    socket.on("message", (data, isBinary) => this.receive(client, isBinary ? "" : String(data)));
    const tick = this.service.market.current;
    this.send(client, {
      type: "hello",
      seq: tick?.seq ?? null,
      asOf: tick?.asOf ?? null,
      accounts: [...this.service.accounts.keys()].sort(),
    });
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
      const error = err instanceof XmarginError ? err.toJSON() : { code: "INVALID_INPUT", message: "bad message" };
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
    const unknown = request.accounts.filter((a) => a !== "*" && !this.service.accounts.has(a));
    if (client.accounts.size + request.accounts.length > MAX_SUBSCRIPTIONS) {
      this.send(client, {
        type: "error",
        error: { code: "INVALID_INPUT", path: "$.accounts", message: `at most ${MAX_SUBSCRIPTIONS} subscriptions` },
      });
      return;
    }
    for (const a of request.accounts) client.accounts.add(a);
    this.send(client, {
      type: "subscribed",
      accounts: [...client.accounts].sort(),
      ...(unknown.length ? { unknownAccounts: unknown } : {}),
    });
    const tick = this.service.market.current;
    const ids = request.accounts.includes("*") ? [...this.service.accounts.keys()] : request.accounts;
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

  private publish(e: ServiceEvent): void {
    if (this.clients.size === 0) return;
    const text = JSON.stringify(e);
    for (const c of this.clients) {
      if (e.type === "tick" || e.type === "chain" || c.accounts.has("*") || c.accounts.has(e.accountId)) {
        this.sendText(c, text);
      }
    }
  }

  private send(c: Client, message: unknown): void {
    this.sendText(c, JSON.stringify(message));
  }

  private sendText(c: Client, text: string): void {
    if (c.socket.readyState !== c.socket.OPEN) return;
    if (c.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      c.socket.close(1013, "too slow");
      this.clients.delete(c);
      return;
    }
    c.socket.send(text);
  }

  closeAll(): void {
    for (const c of this.clients) c.socket.close(1001, "server shutting down");
    this.clients.clear();
  }
}
