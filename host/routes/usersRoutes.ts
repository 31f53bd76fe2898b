import { Router, type Request } from "express";
import type { DataSource } from "typeorm";
import { z } from "zod";
import { InvalidInputError, isCleanName, nameRefusal, NotFoundError, parseId } from "../contract";
import type { HostAuth } from "../auth/HostAuth";
import type { DatabaseSessionStore } from "../auth/DatabaseSessionStore";
import type { HostLanguages } from "../langs/HostLanguages";
import type { GroupRegistry } from "../users/GroupRegistry";
import type { HostUsers } from "../users/HostUsers";
import type { ViewRegistry } from "../views/ViewRegistry";
import { route } from "../http/errorHandler";

/** A form field that may be posted once (a string) or several times (an array), or not at all. */
const manyStrings = z.union([z.string(), z.array(z.string())]).optional().transform((v) => (v === undefined ? [] : [v].flat()));

const userForm = z.object({
  name: z.string().trim().min(1, "Name is required.").max(128, "Name is at most 128 characters.").refine(isCleanName, nameRefusal("Name")),
  login: z
    .string()
    .trim()
    .min(1, "Login is required.")
    .max(64, "Login is at most 64 characters.")
    .regex(/^[^\s]+$/, "A login has no spaces.")
    .refine(isCleanName, nameRefusal("A login"))
    // "admin" followed by a zero-width space would pass for "admin".
    .refine((v) => !/\p{Default_Ignorable_Code_Point}/u.test(v), "A login cannot contain invisible characters."),
  lang_code: z.string().min(1, "Language is required."),
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
}): Router {
  const { db, auth, users, groups, langs, views, sessions } = deps;
  const router = Router();
  const admin = auth.requireGroup("base.admin");

  async function form(req: Request, values: Record<string, unknown>, status = 200, error?: string): Promise<[number, string]> {
    const html = await views.render(req, "host/user_form", {
      title: values.id ? String(values.name) : "New user",
      form: values,
      allGroups: groups.all(),
      languages: await langs.list({ enabledOnly: true }),
      error,
    });
    return [status, html];
  }

  async function parse(body: unknown, id: number | null) {
    const parsed = userForm.safeParse(body ?? {});
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join(" "));
    const data = parsed.data;
    const [lang] = await langs.getByCodes([data.lang_code]);
    if (!lang?.enabled) throw new InvalidInputError(`The language "${data.lang_code}" is not enabled.`);
    const unknown = data.groups.filter((g) => !groups.has(g));
    if (unknown.length) throw new InvalidInputError(`Unknown group: ${unknown.join(", ")}.`);
    const password = data.password?.trim() ? data.password : undefined;
    if (id === null && !password) throw new InvalidInputError("A new user needs a password.");
    if (password && password.length < 8) throw new InvalidInputError("A password has at least 8 characters.");
    const sameLogin = await users.findByLogin(data.login);
    if (sameLogin && sameLogin.id !== id) throw new InvalidInputError(`The login "${data.login}" is already used.`);
    return { name: data.name, login: data.login, langCode: lang.code, groups: data.groups, active: id === null || data.active === "on", password };
  }

  router.get(
    "/settings/users",
    admin,
    route(async (req, res) => {
      const list = (await users.list()).map((u) => ({ ...u, groupNames: u.groups.map((g) => groups.name(g)).join(", ") }));
      res.type("html").send(await views.render(req, "host/users", { title: "Users", users: list }));
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
      if (!user) throw new NotFoundError("No such user.");
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
      if (!isNew && (id === null || !(await users.get(id)))) throw new NotFoundError("No such user.");
      try {
        const values = await parse(req.body, id);
        if (id !== null && id === req.user?.id && (!values.groups.includes("base.admin") || !values.active)) {
          throw new InvalidInputError("You cannot remove your own administrator rights or archive yourself.");
        }
        let savedId = id;
        await db.transaction(async (manager) => {
          if (savedId === null) {
            savedId = (await users.create({ ...values, password: values.password as string }, manager)).id;
          } else {
            await users.updateAccount(savedId, values, manager);
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
