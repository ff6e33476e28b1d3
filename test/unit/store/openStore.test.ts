import { describe, expect, it } from "vitest";
import { XmarginError } from "../../../src/core/errors.js";
import { serviceConfigFromEnv } from "../../../src/service/serviceConfig.js";
import { openStore, parseStoreUrl } from "../../../src/store/openStore.js";

describe("store URL", () => {
  it("postgres:// and postgresql:// are PostgreSQL; sqlite:FILE and plain paths are SQLite files", () => {
    expect(parseStoreUrl("postgres://u@127.0.0.1:5433/xm")).toEqual({
      kind: "postgres",
      url: "postgres://u@127.0.0.1:5433/xm",
    });
    expect(parseStoreUrl("postgresql://h/db").kind).toBe("postgres");
    expect(parseStoreUrl("sqlite:data/x.db")).toEqual({ kind: "sqlite", file: "data/x.db" });
    expect(parseStoreUrl("sqlite:///var/lib/x.db")).toEqual({ kind: "sqlite", file: "/var/lib/x.db" });
    expect(parseStoreUrl("sqlite::memory:")).toEqual({ kind: "sqlite", file: ":memory:" });
    expect(parseStoreUrl("data/xmargin.db")).toEqual({ kind: "sqlite", file: "data/xmargin.db" });
    expect(parseStoreUrl(" :memory: ")).toEqual({ kind: "sqlite", file: ":memory:" });
  });

  it("an unknown scheme, an empty URL or sqlite: without a file is INVALID_INPUT at $.store", () => {
    for (const bad of ["mysql://h/db", "", "   ", "sqlite:"]) {
      let caught: unknown;
      try {
        parseStoreUrl(bad);
      } catch (err) {
        caught = err;
      }
      expect(caught, bad).toBeInstanceOf(XmarginError);
      expect((caught as XmarginError).code).toBe("INVALID_INPUT");
      expect((caught as XmarginError).path).toBe("$.store");
    }
  });

  it("XMARGIN_STORE sets the service's store; openStore opens a throw-away SQLite store from a URL", async () => {
    expect(serviceConfigFromEnv({ XMARGIN_STORE: "postgres://h/db" }).store).toBe("postgres://h/db");
    expect(serviceConfigFromEnv({}).store).toBeUndefined();
    const store = await openStore("sqlite::memory:");
    expect(store.description).toBe("sqlite :memory:");
    await store.setMeta("k", "v");
    expect(await store.getMeta("k")).toBe("v");
    await store.close();
  });
});
