import { describe, expect, it } from "vitest";
import { XmarginError } from "../../../src/core/errors.js";
import { parseServiceConfig, serviceConfigFromEnv } from "../../../src/service/serviceConfig.js";
import { startService } from "../../../src/service/startService.js";

describe("scale-out settings", () => {
  it("come from XMARGIN_STORE, XMARGIN_BUS, XMARGIN_SHARDS and XMARGIN_BUS_REPLICAS", () => {
    const config = parseServiceConfig(
      serviceConfigFromEnv({
        XMARGIN_STORE: "postgres://u@127.0.0.1:5432/x",
        XMARGIN_BUS: "nats://127.0.0.1:4222",
        XMARGIN_SHARDS: "32",
        XMARGIN_BUS_REPLICAS: "3",
      }),
    );
    expect(config.store).toBe("postgres://u@127.0.0.1:5432/x");
    expect(config.scaleOut).toEqual({ bus: "nats://127.0.0.1:4222", shards: 32, replicas: 3 });
  });

  it("default to one process: no bus, 16 shards, 1 replica", () => {
    expect(parseServiceConfig({}).scaleOut).toEqual({ shards: 16, replicas: 1 });
  });

  it("reject a bad shard count naming the field", () => {
    expect(() => parseServiceConfig(serviceConfigFromEnv({ XMARGIN_SHARDS: "many" }))).toThrow(/scaleOut\.shards/);
  });

  it("refuse a bus without a shared store", async () => {
    const err = await startService({ port: 0, scaleOut: { bus: "nats://127.0.0.1:1" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XmarginError);
    expect((err as XmarginError).path).toBe("$.store");
  });
});
