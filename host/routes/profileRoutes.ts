import { Router, type Request } from "express";
import type { DataSource } from "typeorm";
import { z } from "zod";
import { InvalidInputError, isCleanName, nameRefusal, type HostUser } from "../contract";
import type { HostAuth } from "../auth/HostAuth";
import type { DatabaseSessionStore } from "../auth/DatabaseSessionStore";
import type { HostLanguages } from "../langs/HostLanguages";
import type { ProfileRegistry } from "../profile/ProfileRegistry";
import type { HostUsers } from "../users/HostUsers";
import type { ViewRegistry } from "../views/ViewRegistry";
import { route } from "../http/errorHandler";

/** What the password form says when it refuses. */
const PASSWORD_MESSAGES = {
  wrongCurrent: "The current password is wrong: the password was not changed.",
  tooShort: "A password has at least 8 characters.",
  tooLong: "A password has at most 256 characters.",
  mismatch: "The new password and its confirmation differ.",
};

const passwordForm = z
  .object({
    current_password: z.string().min(1, PASSWORD_MESSAGES.wrongCurrent),
    new_password: z.string().min(8, PASSWORD_MESSAGES.tooShort).max(256, PASSWORD_MESSAGES.tooLong),
    confirm_password: z.string(),
  })
  .refine((f) => f.new_password === f.confirm_password, PASSWORD_MESSAGES.mismatch);

const profileForm = z.object({
  name: z.string().trim().min(1, "Name is required").max(128, "Name is at most 128 characters").refine(isCleanName, nameRefusal("Name")),
  lang_code: z.string().min(1, "Language is required"),
});

/** My Profile: the user's own name and main language, plus the fields modules add to Preferences. */
export function profileRoutes(deps: {
  db: DataSource;
  auth: HostAuth;
  users: HostUsers;
  langs: HostLanguages;
  profile: ProfileRegistry;
  views: ViewRegistry;
  sessions: DatabaseSessionStore;
}): Router {
  const { db, auth, users, langs, profile, views, sessions } = deps;
  const router = Router();

  async function page(req: Request, user: HostUser, extra: Record<string, unknown> = {}): Promise<string> {
    const sections: Record<string, Record<string, unknown>> = {};
    for (const [name, ext] of profile.extensions) sections[name] = await ext.load(user);
    return views.render(req, "host/profile", {
      title: "My Profile",
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
      res.type("html").send(await page(req, req.user as HostUser, { saved: req.query.saved === "1", passwordChanged: req.query.password === "changed" }));
    }),
  );

  router.post(
    "/my/profile",
    auth.requireUser,
    route(async (req, res) => {
      const user = req.user as HostUser;
      try {
        const parsed = profileForm.safeParse(req.body ?? {});
        if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join(" "));
        const [lang] = await langs.getByCodes([parsed.data.lang_code]);
        if (!lang || !lang.enabled) throw new InvalidInputError(`The language "${parsed.data.lang_code}" is not enabled.`);
        // Every part is parsed before anything is written: one refusal saves nothing.
        const parts: [string, unknown][] = [];
        for (const [name, ext] of profile.extensions) parts.push([name, await ext.parse(req.body ?? {}, user)]);
        await db.transaction(async (manager) => {
          await users.update(user.id, { name: parsed.data.name, langCode: lang.code }, manager);
          for (const [name, value] of parts) await profile.extensions.get(name)?.save(user, value, manager);
        });
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        res.status(400).type("html").send(await page(req, user, { error: err.message }));
        return;
      }
      res.redirect("/my/profile?saved=1");
    }),
  );

  router.post(
    "/my/password",
    auth.requireUser,
    route(async (req, res) => {
      const user = req.user as HostUser;
      const parsed = passwordForm.safeParse(req.body ?? {});
      const error = !parsed.success
        ? parsed.error.issues.map((i) => i.message).join(" ")
        : (await users.changePassword(user.id, parsed.data.current_password, parsed.data.new_password))
          ? null
          : PASSWORD_MESSAGES.wrongCurrent;
      if (error) {
        res.status(400).type("html").send(await page(req, user, { error, securityTab: true }));
        return;
      }
      // Whoever else holds a session of this user (a forgotten browser, a thief) is logged out.
      await sessions.endForUser(user.id, req.sessionID);
      res.redirect("/my/profile?password=changed");
    }),
  );

  return router;
}
