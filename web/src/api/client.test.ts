import { AxiosError, AxiosHeaders } from "axios";
import { describe, expect, it } from "vitest";
import { ApiError, detailText, toApiError } from "@/api/client";

function axiosFailure(status: number, data: unknown): AxiosError {
  const config = { headers: new AxiosHeaders() };
  return new AxiosError("failed", "ERR_BAD_RESPONSE", config, null, {
    status,
    statusText: "",
    headers: {},
    config,
    data,
  });
}

describe("ApiError", () => {
  it("keeps the status and the detail string", () => {
    const error = toApiError(axiosFailure(409, { detail: "An answer is still running" }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(409);
    expect(error.detail).toBe("An answer is still running");
  });

  it("reads FastAPI's 422 list form", () => {
    const detail = [
      { loc: ["body", "message"], msg: "String should have at least 1 character", type: "x" },
      { loc: ["query", "limit"], msg: "Input should be a valid integer", type: "y" },
    ];
    expect(detailText(detail)).toBe(
      "message: String should have at least 1 character; query.limit: Input should be a valid integer",
    );
    expect(toApiError(axiosFailure(422, { detail })).status).toBe(422);
  });

  it("reports an unreachable server as status 0", () => {
    const error = toApiError(new AxiosError("Network Error", "ERR_NETWORK"));
    expect(error.status).toBe(0);
    expect(error.detail).toMatch(/reach the server/);
  });

  it("falls back to the status when the body has no detail", () => {
    expect(toApiError(axiosFailure(502, "<html>Bad gateway</html>")).detail).toBe(
      "Request failed (502).",
    );
  });
});
