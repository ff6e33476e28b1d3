import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** One Pyth price as a test publishes it. */
export interface HermesPrice {
  id: string;
  price: string;
  conf: string;
  expo: number;
  publishTime: number;
}

/**
 * A local Hermes-compatible server (tests and `xmargin devnet`): `GET /v2/updates/price/stream?ids[]=...` answers with Server-Sent
 * Events, one `data:` event per `publish` carrying the `{ binary, parsed: [...] }` shape of Hermes for the subscribed
 * ids. `kill` drops every connection and stops listening; `revive` listens again on the same port.
 */
export interface HermesServer {
  url: string;
  publish(prices: readonly HermesPrice[]): void;
  /** Sends a raw SSE data line (malformed events). */
  sendRaw(data: string): void;
  connections(): number;
  kill(): Promise<void>;
  revive(): Promise<void>;
  close(): Promise<void>;
}

export async function startHermesServer(fixedPort = 0): Promise<HermesServer> {
  const clients = new Map<ServerResponse, Set<string>>();
  let port = fixedPort;
  let server: Server | undefined;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/v2/updates/price/stream") {
      res.writeHead(404).end();
      return;
    }
    const ids = new Set(url.searchParams.getAll("ids[]").map((id) => id.toLowerCase().replace(/^0x/, "")));
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.write(": connected\n\n");
    clients.set(res, ids);
    req.on("close", () => clients.delete(res));
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer(handler);
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const a = server!.address();
        port = typeof a === "object" && a ? a.port : port;
        resolve();
      });
    });
  const kill = () =>
    new Promise<void>((resolve) => {
      for (const res of clients.keys()) res.destroy();
      clients.clear();
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
      server = undefined;
    });
  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    publish(prices) {
      for (const [res, ids] of clients) {
        const parsed = prices
          .filter((p) => ids.has(p.id.toLowerCase().replace(/^0x/, "")))
          .map((p) => ({
            id: p.id.replace(/^0x/, ""),
            price: { price: p.price, conf: p.conf, expo: p.expo, publish_time: p.publishTime },
            ema_price: { price: p.price, conf: p.conf, expo: p.expo, publish_time: p.publishTime },
            metadata: { slot: 1, proof_available_time: p.publishTime, prev_publish_time: p.publishTime - 1 },
          }));
        if (parsed.length > 0)
          res.write(`data: ${JSON.stringify({ binary: { encoding: "hex", data: [] }, parsed })}\n\n`);
      }
    },
    sendRaw(data) {
      for (const res of clients.keys()) res.write(`data: ${data}\n\n`);
    },
    connections: () => clients.size,
    kill,
    revive: listen,
    close: kill,
  };
}
