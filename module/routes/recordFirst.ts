import type { RequestHandler } from "express";
import { NotFoundError, parseId, type DomainError } from "../../host/contract";

/**
 * Put before the access check of a record's page: an id that names no record answers 404 ("not
 * found") for everyone, never "forbidden". `new` (the page of a record still to create) passes.
 */
export function recordFirst(missing: DomainError, load: (id: number) => Promise<unknown>): RequestHandler {
  return (req, _res, next) => {
    if (req.params.id === "new") return next();
    const id = parseId(req.params.id);
    if (id === null) return next(missing);
    load(id).then(
      () => next(),
      (error: unknown) => next(error instanceof NotFoundError ? error : missing),
    );
  };
}
