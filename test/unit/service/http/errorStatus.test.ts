import { describe, expect, it } from "vitest";
import { FAILURE_REASONS, type FailureReason, XmarginError } from "../../../../src/core/errors.js";
import { errorAnswer, STATUS_OF_REASON } from "../../../../src/service/http/errorStatus.js";

describe("errorAnswer: HTTP status from the failure reason, at the edge", () => {
  it("maps every reason to a 4xx/5xx and only faults of the service to 5xx", () => {
    const serverSide: FailureReason[] = ["IO_ERROR", "INTERNAL", "UNAVAILABLE"];
    for (const reason of Object.keys(FAILURE_REASONS) as FailureReason[]) {
      const status = STATUS_OF_REASON[reason];
      expect(status >= 400 && status < 600, reason).toBe(true);
      expect(status >= 500, reason).toBe(serverSide.includes(reason));
    }
  });

  it("a typed error keeps its path and message; retry-after comes from the error", () => {
    const busy = errorAnswer(new XmarginError("busy", { code: "UNAVAILABLE", retryAfterSec: 2.2 }));
    expect(busy.status).toBe(503);
    expect(busy.headers).toEqual({ "retry-after": "3" });
    const bad = errorAnswer(
      new XmarginError("too many", { code: "LIMIT_EXCEEDED", path: "$.config.simulation.paths" }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.path).toBe("$.config.simulation.paths");
    expect(bad.body.error.docsPath).toBe("docs/reliability.md");
  });

  it("fastify's own 4xx keep their status under our reasons; anything else is a 500 without detail", () => {
    const tooLarge = Object.assign(new Error("Request body is too large"), { statusCode: 413 });
    expect(errorAnswer(tooLarge).status).toBe(413);
    expect(errorAnswer(tooLarge).body.error.code).toBe("PAYLOAD_TOO_LARGE");
    const media = Object.assign(new Error("Unsupported Media Type"), { statusCode: 415 });
    expect(errorAnswer(media).body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const plain = errorAnswer(new RangeError("secret internals"));
    expect(plain.status).toBe(500);
    expect(plain.body.error).toEqual({ code: "INTERNAL", message: "internal error", docsPath: "docs/service.md" });
  });
});
