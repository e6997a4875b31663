import { describe, expect, it } from "vitest";
import { describeAnswerError } from "@/features/chat/answer-errors";

describe("describeAnswerError", () => {
  it("explains the common upstream failures", () => {
    expect(describeAnswerError(402, "Insufficient credits").text).toMatch(/out of credits/);
    expect(describeAnswerError(429, "Rate limit").text).toMatch(/rate limited/);
    expect(describeAnswerError(401, "bad key")).toEqual({
      text: expect.stringMatching(/API key/),
      retry: false,
    });
    expect(describeAnswerError(404, "No endpoints").text).toMatch(/isn't available/);
    expect(describeAnswerError(408, null).text).toMatch(/too long/);
  });

  it("tells the missing key apart from an unavailable model", () => {
    expect(describeAnswerError(503, "OPENROUTER_API_KEY is not set").text).toMatch(
      /OPENROUTER_API_KEY/,
    );
    expect(describeAnswerError(503, "Provider overloaded").text).toMatch(/unavailable/);
  });

  it("falls back to the server's words", () => {
    expect(describeAnswerError(null, "Stream broke")).toEqual({
      text: "The answer failed: Stream broke",
      retry: true,
    });
  });
});
