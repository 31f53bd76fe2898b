/**
 * Statuses only the host's own middleware answers (401 before login, 429 from the rate limiter):
 * everything a module or a host route refuses is a domain error from the contract.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}
