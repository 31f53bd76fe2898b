import { Router, type Request } from "express";
import type { DataSource } from "typeorm";
import { z } from "zod";
import { HttpError, lt, type HostUser } from "../contract";
import { HOST_NAMESPACE, type HostI18n } from "../i18n/HostI18n";
import type { HostAuth } from "../auth/HostAuth";
import type { HostLanguages } from "../langs/HostLanguages";
import type { ProfileRegistry } from "../profile/ProfileRegistry";
import type { HostUsers } from "../users/HostUsers";
import type { ViewRegistry } from "../views/ViewRegistry";
import { route } from "../http/errorHandler";

const profileForm = z.object({
  name: z.string().trim().min(1, lt("Name is required.")).max(128, lt("Name is at most 128 characters.")),
  lang_code: z.string().min(1, lt("Language is required.")),
});

/** My Profile: the user's own name and main language, plus the fields modules add to Preferences. */
export function profileRoutes(deps: {
  db: DataSource;
  auth: HostAuth;
  users: HostUsers;
  langs: HostLanguages;
  profile: ProfileRegistry;
  views: ViewRegistry;
  i18n: HostI18n;
}): Router {
  const { db, auth, users, langs, profile, views, i18n } = deps;
  const router = Router();

  async function page(req: Request, user: HostUser, extra: Record<string, unknown> = {}): Promise<string> {
    const sections: Record<string, Record<string, unknown>> = {};
    for (const [name, ext] of profile.extensions) sections[name] = await ext.load(user);
    const t = await i18n.forNamespace(HOST_NAMESPACE).forRequest(req);
    return views.render(req, "host/profile", {
      title: t("My Profile"),
      profileUser: user,
      languages: await langs.list({ enabledOnly: true }),
      profile: sections,
      ...extra,
    });
  }

  router.get(
    "/my/profile",
    auth.requireUser,
    route(async (req, res) => {
      res.type("html").send(await page(req, req.user as HostUser, { saved: req.query.saved === "1" }));
    }),
  );

  router.post(
    "/my/profile",
    auth.requireUser,
    route(async (req, res) => {
      const user = req.user as HostUser;
      const lang = await i18n.requestLang(req);
      const t = i18n.forNamespace(HOST_NAMESPACE).t.bind(null, lang);
      try {
        const parsed = profileForm.safeParse(req.body ?? {});
        if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => t(i.message)).join(" "));
        const [lang] = await langs.getByCodes([parsed.data.lang_code]);
        if (!lang || !lang.enabled) throw new HttpError(400, t('The language "{code}" is not enabled.', { code: parsed.data.lang_code }));
        // Every part is parsed before anything is written: one refusal saves nothing.
        const parts: [string, unknown][] = [];
        for (const [name, ext] of profile.extensions) parts.push([name, await ext.parse(req.body ?? {}, user)]);
        await db.transaction(async (manager) => {
          await users.update(user.id, { name: parsed.data.name, langCode: lang.code }, manager);
          for (const [name, value] of parts) await profile.extensions.get(name)?.save(user, value, manager);
        });
      } catch (err) {
        if (!(err instanceof HttpError) || err.status !== 400) throw err;
        // The message may come from a module's part of the form: translated with whichever catalog holds it.
        res.status(400).type("html").send(await page(req, user, { error: i18n.translateAny(lang, err.key, err.vars) }));
        return;
      }
      res.redirect("/my/profile?saved=1");
    }),
  );

  return router;
}
