import type { Request, RequestHandler, Response } from "express";

/** Lets an async route handler's rejection reach the host's error handling. */
export function asyncRoute(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    fn(req, res).catch(next);
  };
}

