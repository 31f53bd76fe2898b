import type { Request, RequestHandler, Response } from "express";

/** Lets an async route handler's rejection reach the host's error handling. */
export function asyncRoute(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    fn(req, res).catch(next);
  };
}

/** A positive integer route parameter, or null (callers answer 404). */
export function idParam(value: unknown): number | null {
  const id = Number(value);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
