/** The one HTTP client of the app: JSON over Axios, every failure turned into an ApiError. */
import axios, { AxiosError } from "axios";

export const http = axios.create({
  baseURL: "/",
  headers: { Accept: "application/json" },
  timeout: 30_000,
});

interface ValidationItem {
  loc?: unknown[];
  msg?: string;
}

/** A failed request: `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;

  constructor(status: number, detail: string) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
  }
}

/** Turns FastAPI's `detail` (a string, or the 422 list of `{loc, msg}`) into one readable line. */
export function detailText(detail: unknown): string | null {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    const parts = detail.map((item: ValidationItem) => {
      const field = Array.isArray(item.loc)
        ? item.loc.filter((part) => part !== "body").join(".")
        : "";
      const msg = typeof item.msg === "string" ? item.msg : "is invalid";
      return field ? `${field}: ${msg}` : msg;
    });
    return parts.length > 0 ? parts.join("; ") : null;
  }
  return null;
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof AxiosError) {
    const response = error.response;
    if (!response) return new ApiError(0, "Can't reach the server. Check your connection.");
    const body: unknown = response.data;
    const detail =
      body && typeof body === "object" && "detail" in body
        ? detailText((body as { detail: unknown }).detail)
        : null;
    return new ApiError(response.status, detail ?? `Request failed (${response.status}).`);
  }
  return new ApiError(0, error instanceof Error ? error.message : String(error));
}

http.interceptors.response.use(undefined, (error: unknown) => Promise.reject(toApiError(error)));
