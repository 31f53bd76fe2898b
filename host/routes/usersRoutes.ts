import { Router, type Request } from "express";
import type { DataSource } from "typeorm";
import { z } from "zod";
import { isCleanName, lt, InvalidInputError, NotFoundError, parseId, type Translate } from "../contract";
import { HOST_NAMESPACE, type HostI18n } from "../i18n/HostI18n";
import type { HostAuth } from "../auth/HostAuth";
import type { DatabaseSessionStore } from "../auth/DatabaseSessionStore";
import type { HostLanguages } from "../langs/HostLanguages";
import type { GroupRegistry } from "../users/GroupRegistry";
import type { HostUsers } from "../users/HostUsers";
import { hashPassword } from "../auth/passwords";
import type { ViewRegistry } from "../views/ViewRegistry";
import { route } from "../http/errorHandler";

/** A form field that may be posted once (a string) or several times (an array), or not at all. */
const manyStrings = z.union([z.string(), z.array(z.string())]).optional().transform((v) => (v === undefined ? [] : [v].flat()));

const userForm = z.object({
  name: z
    .string()
    .trim()
    .min(1, lt("Name is required."))
    .max(128, lt("Name is at most 128 characters."))
    .refine(isCleanName, lt("Name cannot contain control or text-direction characters, nor be only invisible characters.")),
  login: z
    .string()
    .trim()
    .min(1, lt("Login is required."))
    .max(64, lt("Login is at most 64 characters."))
    .regex(/^[^\s]+$/, lt("A login has no spaces."))
    .refine(isCleanName, lt("A login cannot contain control or text-direction characters, nor be only invisible characters."))
    // "admin" followed by a zero-width space would pass for "admin".
    .refine((v) => !/\p{Default_Ignorable_Code_Point}/u.test(v), lt("A login cannot contain invisible characters.")),
  lang_code: z.string().min(1, lt("Language is required.")),
  groups: manyStrings,
  active: z.string().optional(),
  password: z.string().max(256).optional(),
});

/** Settings → Users: the host admin creates users and gives them access rights. */
export function usersRoutes(deps: {
  db: DataSource;
  auth: HostAuth;
  users: HostUsers;
  groups: GroupRegistry;
  langs: HostLanguages;
  views: ViewRegistry;
  sessions: DatabaseSessionStore;
  i18n: HostI18n;
}): Router {
  const { db, auth, users, groups, langs, views, sessions, i18n } = deps;
  /** A group's name in the reader's language, from the catalog of the module that declared it. */
  const groupName = (lang: string, id: string) => i18n.t(groups.namespace(id), lang, groups.name(id));
  const translator = async (req: Request): Promise<[string, Translate]> => {
    const lang = await i18n.requestLang(req);
    return [lang, (key, vars) => i18n.t(HOST_NAMESPACE, lang, key, vars)];
  };
  const router = Router();
  const admin = auth.requireGroup("base.admin");

  async function form(req: Request, values: Record<string, unknown>, status = 200, error?: string): Promise<[number, string]> {
    const [lang, t] = await translator(req);
    const html = await views.render(req, "host/user_form", {
      title: values.id ? String(values.name) : t("New user"),
      form: values,
      allGroups: groups
        .all()
        .map((g) => ({ id: g.id, name: groupName(lang, g.id) }))
        .sort((a, b) => a.name.localeCompare(b.name, lang.replace("_", "-"))),
      languages: await langs.list({ enabledOnly: true }),
      error,
    });
    return [status, html];
  }

  async function parse(body: unknown, id: number | null, t: Translate) {
    const parsed = userForm.safeParse(body ?? {});
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => t(i.message)).join(" "));
    const data = parsed.data;
    const [lang] = await langs.getByCodes([data.lang_code]);
    if (!lang?.enabled) throw new InvalidInputError(t('The language "{code}" is not enabled.', { code: data.lang_code }));
    const unknown = data.groups.filter((g) => !groups.has(g));
    if (unknown.length) throw new InvalidInputError(t("Unknown group: {groups}.", { groups: unknown.join(", ") }));
    const password = data.password?.trim() ? data.password : undefined;
    if (id === null && !password) throw new InvalidInputError(t("A new user needs a password."));
    if (password && password.length < 8) throw new InvalidInputError(t("A password has at least 8 characters."));
    const sameLogin = await users.findByLogin(data.login);
    if (sameLogin && sameLogin.id !== id) throw new InvalidInputError(t('The login "{login}" is already used.', { login: data.login }));
    return { name: data.name, login: data.login, langCode: lang.code, groups: data.groups, active: id === null || data.active === "on", password };
  }

  router.get(
    "/settings/users",
    admin,
    route(async (req, res) => {
      const [lang, t] = await translator(req);
      const list = (await users.list()).map((u) => ({ ...u, groupNames: u.groups.map((g) => groupName(lang, g)).join(", ") }));
      res.type("html").send(await views.render(req, "host/users", { title: t("Users"), users: list }));
    }),
  );

  router.get(
    "/settings/users/new",
    admin,
    route(async (req, res) => {
      const [status, html] = await form(req, { active: true, langCode: "en_US", groups: ["base.user"] });
      res.status(status).type("html").send(html);
    }),
  );

  router.get(
    "/settings/users/:id",
    admin,
    route(async (req, res) => {
      const id = parseId(req.params.id);
      const user = id === null ? null : await users.get(id);
      if (!user) throw new NotFoundError(lt("No such user."));
      const [status, html] = await form(req, { ...user, groups: await users.directGroups(user.id) });
      res.status(status).type("html").send(html);
    }),
  );

  router.post(
    "/settings/users/:id",
    admin,
    route(async (req, res) => {
      const isNew = req.params.id === "new";
      const id = isNew ? null : parseId(req.params.id);
      if (!isNew && (id === null || !(await users.get(id)))) throw new NotFoundError(lt("No such user."));
      const [, t] = await translator(req);
      try {
        const values = await parse(req.body, id, t);
        if (id !== null && id === req.user?.id && (!values.groups.includes("base.admin") || !values.active)) {
          throw new InvalidInputError(t("You cannot remove your own administrator rights or archive yourself."));
        }
        let savedId = id;
        // Hashed before the transaction, which holds the SQLite connection while it runs.
        const { password, ...account } = values;
        const passwordHash = password ? await hashPassword(password) : undefined;
        await db.transaction(async (manager) => {
          if (savedId === null) {
            savedId = (await users.insert({ ...account, passwordHash: passwordHash as string }, manager)).id;
          } else {
            await users.updateAccount(savedId, { ...account, passwordHash }, manager);
          }
        });
        // A reset password or an archived user ends the user's sessions (the admin's own stays).
        if (id !== null && (values.password || !values.active)) {
          await sessions.endForUser(id, id === req.user?.id ? req.sessionID : undefined);
        }
        res.redirect(`/settings/users/${savedId}`);
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        const body = (req.body ?? {}) as Record<string, unknown>;
        const posted = {
          id,
          name: body.name,
          login: body.login,
          langCode: body.lang_code,
          active: body.active === "on",
          groups: [body.groups ?? []].flat(),
        };
        const [status, html] = await form(req, posted, 400, err.message);
        res.status(status).type("html").send(html);
      }
    }),
  );

  return router;
}
