import { WebSocket } from "ws";

export type Message = Record<string, unknown> & { type: string };

/** A WebSocket client that records every message and can wait for one matching a predicate. */
export class StreamClient {
  readonly messages: Message[] = [];
  private waiters: Array<{ match: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as Message;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  /** Opens `/v1/stream`; `key` goes in `?key=` (browsers cannot set headers on a WebSocket upgrade). */
  static async open(url: string, key?: string): Promise<StreamClient> {
    const query = key === undefined ? "" : `?key=${encodeURIComponent(key)}`;
    const ws = new WebSocket(`${url.replace("http", "ws")}/v1/stream${query}`);
    const c = new StreamClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return c;
  }

  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }

  next(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no matching stream message")), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  clear(): void {
    this.messages.length = 0;
  }

  close(): void {
    this.ws.close();
  }
}
