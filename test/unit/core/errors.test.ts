import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAILURE_REASONS, isFailureReason, XmarginError } from "../../../src/core/errors.js";
import { REPO_ROOT } from "../../../src/service/paths.js";

describe("XmarginError: one base, a closed list of reasons", () => {
  it("every reason's docsPath names a page that exists in docs/", () => {
    for (const [reason, page] of Object.entries(FAILURE_REASONS)) {
      expect(existsSync(join(REPO_ROOT, page)), `${reason} -> ${page}`).toBe(true);
    }
  });

  it("carries the reason's page unless given one, and serialises without cause or stack", () => {
    const cause = new Error("deep");
    const e = new XmarginError("must be > 0", { code: "INVALID_INPUT", path: "$.positions[0].strike", cause });
    expect(e.docsPath).toBe("docs/documents.md");
    expect(e.message).toBe("$.positions[0].strike: must be > 0");
    expect(e.toJSON()).toEqual({
      code: "INVALID_INPUT",
      path: "$.positions[0].strike",
      message: "must be > 0",
      docsPath: "docs/documents.md",
    });
    expect(e.walk()).toBe(cause);
    const own = new XmarginError("x", { code: "INTERNAL", docsPath: "docs/service.md#errors" });
    expect(own.docsPath).toBe("docs/service.md#errors");
  });

  it("isFailureReason accepts exactly the listed reasons", () => {
    expect(isFailureReason("LIMIT_EXCEEDED")).toBe(true);
    expect(isFailureReason("NOT_A_REASON")).toBe(false);
    expect(isFailureReason("toString")).toBe(false);
  });
});
