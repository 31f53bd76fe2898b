import { Router } from "express";
import type { DataSource } from "typeorm";
import { InvalidInputError, NotFoundError } from "../contract";
import type { HostAuth } from "../auth/HostAuth";
import type { HostLanguages } from "../langs/HostLanguages";
import { InstalledModule } from "../models/InstalledModule";
import type { ViewRegistry } from "../views/ViewRegistry";
import { route } from "../http/errorHandler";

/** Settings for the host admin: installed modules (Apps) and languages. */
export function settingsRoutes(deps: { db: DataSource; auth: HostAuth; langs: HostLanguages; views: ViewRegistry }): Router {
  const { db, auth, langs, views } = deps;
  const router = Router();
  const admin = auth.requireGroup("base.admin");

  router.get(
    "/settings/apps",
    admin,
    route(async (req, res) => {
      const modules = await db.getRepository(InstalledModule).find({ order: { name: "ASC" } });
      res.type("html").send(await views.render(req, "host/apps", { title: "Apps", modules }));
    }),
  );

  router.get(
    "/settings/languages",
    admin,
    route(async (req, res) => {
      const languages = await langs.list();
      res.type("html").send(await views.render(req, "host/languages", { title: "Languages", languages }));
    }),
  );

  router.post(
    "/settings/languages/:code",
    admin,
    route(async (req, res) => {
      const code = String(req.params.code);
      const [lang] = await langs.getByCodes([code]);
      if (!lang) throw new NotFoundError(`No language with code "${code}".`);
      const action = req.body?.action;
      if (action !== "enable" && action !== "disable") throw new InvalidInputError('The action must be "enable" or "disable".');
      if (action === "disable" && (await langs.list({ enabledOnly: true })).length === 1 && lang.enabled) {
        throw new InvalidInputError("At least one language must stay enabled.");
      }
      await langs.setEnabled(code, action === "enable");
      res.redirect("/settings/languages");
    }),
  );

  return router;
}
