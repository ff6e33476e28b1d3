import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/** A TCP proxy in front of an RPC node that a test can kill and bring back on the same port (a dead endpoint). */
export interface RpcProxy {
  url: string;
  port: number;
  kill(): Promise<void>;
  revive(): Promise<void>;
}

export async function startRpcProxy(targetPort: number): Promise<RpcProxy> {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = tcpConnect(targetPort, "127.0.0.1");
        sockets.add(client);
        sockets.add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const a = server!.address();
        port = typeof a === "object" && a ? a.port : port;
        resolve();
      });
    });
  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    kill: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        if (!server) return resolve();
        server.close(() => resolve());
        server = undefined;
      }),
    revive: listen,
  };
}
