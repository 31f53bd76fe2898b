import path from "node:path";
import { Router } from "express";

/**
 * Serves the listed files of a package, and nothing else of it: a package directory also holds its
 * package.json, sources and files no page uses.
 */
export function vendorAssets(urlPrefix: string, packageDir: string, files: string[], maxAge: string): Router {
  const router = Router();
  for (const file of files) {
    const absolute = path.join(packageDir, file);
    router.get(`${urlPrefix}/${file}`, (_req, res, next) => {
      res.sendFile(absolute, { maxAge }, (err) => {
        if (err) next(err);
      });
    });
  }
  return router;
}
