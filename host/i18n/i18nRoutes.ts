import { Router } from "express";
import type { HostI18n } from "./HostI18n";

const NAMESPACE = /^[a-z][a-z0-9_]*$/;
const TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;

/**
 * Catalogs for browser code: `GET /web/i18n/<namespace>/<language tag>.json` answers the namespace's
 * translations (English text → translated text) for that language; an unknown language answers `{}`,
 * so the browser shows English. Public: the visitor widget needs it too.
 */
export function i18nRoutes(i18n: HostI18n): Router {
  const router = Router();
  router.get("/web/i18n/:namespace/:file", (req, res, next) => {
    const namespace = String(req.params.namespace);
    const file = String(req.params.file);
    const tag = file.endsWith(".json") ? file.slice(0, -".json".length) : "";
    if (!NAMESPACE.test(namespace) || !TAG.test(tag)) return next();
    res.set("Cache-Control", "public, max-age=300");
    // Public texts, read by the visitor widget on other websites (without credentials).
    res.set("Access-Control-Allow-Origin", "*");
    res.json(i18n.catalog(namespace, tag));
  });
  return router;
}
