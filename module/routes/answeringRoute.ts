import type { Request, RequestHandler } from "express";
import type { LeanAnswer } from "../../host/contract";
import { asyncRoute } from "./asyncRoute";

/**
 * An express handler for a route that answers a status and a JSON body, as the lean and socket
 * routes sharing its work do; `answer` gets the path's `:name` parameters, each one a string.
 */
export function answeringRoute(answer: (req: Request, params: Record<string, string>) => Promise<LeanAnswer>): RequestHandler {
  return asyncRoute(async (req, res) => {
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.params)) if (typeof value === "string") params[name] = value;
    const { status, body } = await answer(req, params);
    res.status(status).json(body);
  });
}
