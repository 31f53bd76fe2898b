/** The server answered with an error: retrying the same request would not help. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
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
  if (!res.ok) {
    const error = typeof data === "object" && data !== null && "error" in data ? data.error : null;
    throw new RequestError(typeof error === "string" && error ? error : `${failure} (${res.status}).`, res.status);
  }
  return data as T;
}
