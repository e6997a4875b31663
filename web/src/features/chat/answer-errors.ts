/** Turns an answer's failure (the upstream status code and message) into words a person can act on. */

export interface AnswerProblem {
  /** What happened and what to do, in one or two sentences. */
  text: string;
  /** Whether asking again could help (shows a Retry button). */
  retry: boolean;
}

export function describeAnswerError(
  code: number | null | undefined,
  message: string | null | undefined,
): AnswerProblem {
  const detail = message?.trim() ?? "";
  const mentionsKey = /api[_ ]?key|OPENROUTER_API_KEY|not configured/i.test(detail);
  switch (code) {
    case 401:
    case 403:
      return {
        text: "OpenRouter rejected the API key. Check OPENROUTER_API_KEY in .env and restart the server.",
        retry: false,
      };
    case 402:
      return {
        text: "Your OpenRouter account is out of credits. Add credits on openrouter.ai, then retry.",
        retry: true,
      };
    case 408:
    case 504:
      return { text: "The model took too long to answer. Try again.", retry: true };
    case 413:
      return {
        text: "This conversation is too long for the model. Start a new chat or pick a model with a larger context.",
        retry: false,
      };
    case 429:
      return {
        text: "The model is rate limited right now. Wait a moment, then retry.",
        retry: true,
      };
    case 404:
      return {
        text: "This model isn't available. Pick another model, then retry.",
        retry: true,
      };
    case 503:
      if (mentionsKey)
        return {
          text: "No OpenRouter API key is configured. Set OPENROUTER_API_KEY in .env and restart the server.",
          retry: true,
        };
      return {
        text: "The model is unavailable right now. Retry, or pick another model.",
        retry: true,
      };
    case 502:
      return {
        text: "The model provider failed to answer. Retry, or pick another model.",
        retry: true,
      };
    case 400:
      return {
        text: detail
          ? `The model rejected the request: ${detail}`
          : "The model rejected the request.",
        retry: true,
      };
    default:
      if (mentionsKey)
        return {
          text: "No OpenRouter API key is configured. Set OPENROUTER_API_KEY in .env and restart the server.",
          retry: true,
        };
      if (/time(d)? ?out/i.test(detail))
        return { text: "The model took too long to answer. Try again.", retry: true };
      return {
        text: detail ? `The answer failed: ${detail}` : "The answer failed. Try again.",
        retry: true,
      };
  }
}
