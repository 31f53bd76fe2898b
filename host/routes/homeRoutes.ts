import { Router } from "express";
import type { I18n } from "../contract";
import type { HostAuth } from "../auth/HostAuth";
import type { MenuRegistry, VisibleMenu } from "../menus/MenuRegistry";
import type { ViewRegistry } from "../views/ViewRegistry";
import { route } from "../http/errorHandler";

/** The home screen: one tile per app the user can open. */
export function homeRoutes(deps: { auth: HostAuth; menus: MenuRegistry; views: ViewRegistry; i18n: I18n }): Router {
  const { auth, menus, views, i18n } = deps;
  const router = Router();
  router.get("/", (_req, res) => res.redirect("/web"));
  router.get(
    "/web",
    auth.requireUser,
    route(async (req, res) => {
      const t = await i18n.forRequest(req);
      const apps = menus.forUser(req.user ?? null).map((m) => ({ ...m, url: m.url ?? firstUrl(m.children) }));
      res.type("html").send(await views.render(req, "host/home", { title: t("Home"), apps }));
    }),
  );
  router.get("/healthz", (_req, res) => {
    res.json({ ok: true });
  });
  return router;
}

function firstUrl(items: VisibleMenu[]): string | undefined {
  for (const item of items) {
    const url = item.url ?? firstUrl(item.children);
    if (url) return url;
  }
  return undefined;
}
