import type { SocketAnswer } from "../../../host/contract";
/** The server answered with an error: retrying the same request would not help. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** From `Retry-After` (seconds) on a 503: how long the server asked to wait before trying again. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** The server was too busy to take the request and asked to be tried again later: worth retrying. */
export function busy(err: unknown): err is RequestError {
  return err instanceof RequestError && err.status === 503;
}

/** Whether the server answered (as opposed to a network failure, which is worth retrying). */
export function answered(err: unknown): err is RequestError {
  return err instanceof RequestError;
}

/** The message to show for any failure. */
export function errorMessage(err: unknown, fallback: string): string {
  return err instanceof Error && err.message ? err.message : fallback;
}

/**
 * Sends a request and reads its JSON answer. An error answer becomes a RequestError with the server's
 * message, or `failure (status).` when it gave none.
 */
export async function requestJson<T>(url: string, init: RequestInit, failure: string): Promise<T> {
  const res = await fetch(url, init);
  const data: unknown = await res.json().catch(() => ({}));
  if (!res.ok) throw answerError(res.status, data, res.headers.get("Retry-After"), failure);
  return data as T;
}

/** The error of an answer with status `status` and body `data`: the server's message, or `failure (status).` */
export function answerError(status: number, data: unknown, retryAfterHeader: string | number | null | undefined, failure: string): RequestError {
  const error = typeof data === "object" && data !== null && "error" in data ? data.error : null;
  const retryAfter = Number(retryAfterHeader);
  return new RequestError(
    typeof error === "string" && error ? error : `${failure} (${status}).`,
    status,
    status === 503 && Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
  );
}

/** The body of a post's answer over the bus socket, as `requestJson` gives an HTTP answer's: an error status throws its `RequestError`. */
export async function socketAnswerBody<T>(sent: Promise<SocketAnswer>, failure: string): Promise<T> {
  const answer = await sent;
  if (answer.status >= 400) throw answerError(answer.status, answer.body, answer.retryAfter, failure);
  return answer.body as T;
}
