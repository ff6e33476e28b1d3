import { describe, expect, it } from "vitest";
import { KeyRing, OriginGuard } from "../../../../src/service/http/auth.js";
import { errorOf } from "../../../support/errors.js";

const ADMIN = "admin-key-0123456789";
const READER = "reader-key-0123456789";
const WRITER = "writer-key-0123456789";
const ring = (publicRead = false) =>
  new KeyRing(
    [
      ADMIN,
      { key: READER, accounts: ["a1"], write: false, admin: false },
      { key: WRITER, accounts: ["a1", "a2"], write: true, admin: false },
    ],
    publicRead,
  );

describe("KeyRing: account-scoped keys with an admin scope (issue 14 item 6)", () => {
  it("reads need a key unless public read mode is on; writes always need one", () => {
    expect(errorOf(() => ring().authorise("account-read", null, "a1")).code).toBe("UNAUTHORIZED");
    expect(() => ring(true).authorise("account-read", null, "a1")).not.toThrow();
    expect(errorOf(() => ring(true).authorise("account-write", null, "a1")).code).toBe("UNAUTHORIZED");
    expect(() => ring().authorise("open", null, undefined)).not.toThrow();
  });

  it("a scoped key reaches only its accounts, writes only with write scope, never admin routes", () => {
    const r = ring();
    const reader = r.identify(READER);
    const writer = r.identify(WRITER);
    expect(() => r.authorise("account-read", reader, "a1")).not.toThrow();
    expect(errorOf(() => r.authorise("account-read", reader, "a2")).code).toBe("FORBIDDEN");
    expect(errorOf(() => r.authorise("account-write", reader, "a1")).code).toBe("FORBIDDEN");
    expect(() => r.authorise("account-write", writer, "a2")).not.toThrow();
    expect(errorOf(() => r.authorise("account-write", writer, "a3")).code).toBe("FORBIDDEN");
    expect(errorOf(() => r.authorise("admin", writer, undefined)).code).toBe("FORBIDDEN");
    expect(() => r.authorise("admin", r.identify(ADMIN), undefined)).not.toThrow();
    expect(r.mayRead(reader, "a2")).toBe(false);
    expect(r.mayRead(r.identify(ADMIN), "anything")).toBe(true);
  });

  it("an unknown key is UNAUTHORIZED, not anonymous", () => {
    expect(errorOf(() => ring(true).identify("not-a-key-0123456789")).code).toBe("UNAUTHORIZED");
    expect(ring().identify(undefined)).toBeNull();
  });
});

describe("OriginGuard: Host and Origin allow-list (DNS rebinding, cross-site reads)", () => {
  const guard = new OriginGuard("127.0.0.1", ["margin.example.com"], ["https://dash.example.com"]);
  it("accepts loopback names, the bound host and configured hosts, with any port", () => {
    for (const host of ["127.0.0.1:8080", "localhost:1", "[::1]:8080", "margin.example.com"]) {
      expect(() => guard.check(host, undefined), host).not.toThrow();
    }
    expect(errorOf(() => guard.check("evil.example:8080", undefined)).code).toBe("FORBIDDEN");
  });
  it("accepts the service's own origin and configured ones; rejects any other page", () => {
    expect(() => guard.check("127.0.0.1:8080", "http://127.0.0.1:8080")).not.toThrow();
    expect(() => guard.check("margin.example.com", "https://dash.example.com")).not.toThrow();
    expect(errorOf(() => guard.check("127.0.0.1:8080", "http://evil.example")).code).toBe("FORBIDDEN");
    expect(errorOf(() => guard.check("127.0.0.1:8080", "http://127.0.0.1:9999")).code).toBe("FORBIDDEN");
  });
});
