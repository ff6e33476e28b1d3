import { afterAll, beforeAll } from "vitest";
import { type PostgresServer, startPostgres } from "./postgresServer.js";

/**
 * A private PostgreSQL for the enclosing describe block: started before its tests, stopped after them. Call the
 * returned function inside a test to get the server.
 */
export function usePostgres(): () => PostgresServer {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error("the PostgreSQL server did not start");
    return server;
  };
}
