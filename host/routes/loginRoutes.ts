import { Router, type Request, type Response } from "express";
import type { I18n } from "../contract";
import type { LoginThrottle } from "../auth/LoginThrottle";
import type { HostAuth } from "../auth/HostAuth";
import type { ViewRegistry } from "../views/ViewRegistry";
import { route } from "../http/errorHandler";
import { safeRedirect } from "../http/safeRedirect";


export function loginRoutes(
  auth: HostAuth,
  views: ViewRegistry,
  i18n: I18n,
  csrfToken: (req: Request) => string,
  throttle: LoginThrottle,
  secureCookies: boolean,
): Router {
  const router = Router();

  router.get(
    "/web/login",
    route(async (req, res) => {
      if (req.user) return res.redirect(safeRedirect(req.query.redirect));
      const t = await i18n.forRequest(req);
      const html = await views.render(req, "host/login", {
        title: t("Log in"),
        loginCsrf: csrfToken(req),
        redirect: safeRedirect(req.query.redirect),
      });
      res.type("html").send(html);
    }),
  );

  /** The login page again, with a message: 401 for a wrong password, 429 while attempts are throttled. */
  const refuse = async (req: Request, res: Response, waitSeconds: number) => {
    if (waitSeconds > 0) res.set("Retry-After", String(waitSeconds));
    const t = await i18n.forRequest(req);
    const html = await views.render(req, "host/login", {
      title: t("Log in"),
      loginCsrf: csrfToken(req),
      redirect: safeRedirect(req.body?.redirect),
      login: typeof req.body?.login === "string" ? req.body.login : "",
      error:
        waitSeconds > 0
          ? t("Too many failed logins. Try again in {minutes} min.", { minutes: Math.ceil(waitSeconds / 60) })
          : t("Wrong login/password"),
    });
    res.status(waitSeconds > 0 ? 429 : 401).type("html").send(html);
  };

  router.post(
    "/web/login",
    route(async (req, res) => {
      const attempt = throttle.attempt(req, req.body?.login);
      const wait = await throttle.waitSeconds(attempt);
      // While throttled the password is not even checked, so guessing goes no further.
      if (wait > 0) return refuse(req, res, wait);
      const user = await new Promise<Express.User | false>((resolve, reject) => {
        auth.passport.authenticate("local", (err: unknown, found: Express.User | false) => (err ? reject(err) : resolve(found)))(req, res, reject);
      });
      if (!user) return refuse(req, res, await throttle.failed(attempt));
      await throttle.succeeded(attempt, res, secureCookies);
      // A fresh session id on login prevents session fixation.
      await new Promise<void>((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
      res.redirect(safeRedirect(req.body?.redirect));
    }),
  );

  router.post("/web/logout", (req, res, next) => {
    req.logOut((err) => {
      if (err) return next(err);
      req.session.destroy(() => res.redirect("/web/login"));
    });
  });

  return router;
}
