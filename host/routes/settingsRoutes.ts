import { Router } from "express";
import type { DataSource } from "typeorm";
import { InvalidInputError, NotFoundError, type I18n } from "../contract";
import type { HostAuth } from "../auth/HostAuth";
import type { HostLanguages } from "../langs/HostLanguages";
import { InstalledModule } from "../models/InstalledModule";
import type { ViewRegistry } from "../views/ViewRegistry";
import { route } from "../http/errorHandler";

/** Settings for the host admin: installed modules (Apps) and languages. */
export function settingsRoutes(deps: { db: DataSource; auth: HostAuth; langs: HostLanguages; views: ViewRegistry; i18n: I18n }): Router {
  const { db, auth, langs, views, i18n } = deps;
  const router = Router();
  const admin = auth.requireGroup("base.admin");

  router.get(
    "/settings/apps",
    admin,
    route(async (req, res) => {
      const t = await i18n.forRequest(req);
      const modules = await db.getRepository(InstalledModule).find({ order: { name: "ASC" } });
      res.type("html").send(await views.render(req, "host/apps", { title: t("Apps"), modules }));
    }),
  );

  router.get(
    "/settings/languages",
    admin,
    route(async (req, res) => {
      const t = await i18n.forRequest(req);
      const languages = await langs.list();
      res.type("html").send(await views.render(req, "host/languages", { title: t("Languages"), languages }));
    }),
  );

  router.post(
    "/settings/languages/:code",
    admin,
    route(async (req, res) => {
      const t = await i18n.forRequest(req);
      const code = String(req.params.code);
      const [lang] = await langs.getByCodes([code]);
      if (!lang) throw new NotFoundError(t('No language with code "{code}".', { code }));
      const action = req.body?.action;
      if (action !== "enable" && action !== "disable") throw new InvalidInputError(t('The action must be "enable" or "disable".'));
      if (action === "disable" && (await langs.list({ enabledOnly: true })).length === 1 && lang.enabled) {
        throw new InvalidInputError(t("At least one language must stay enabled."));
      }
      await langs.setEnabled(code, action === "enable");
      res.redirect("/settings/languages");
    }),
  );

  return router;
}
