import { Router, type Request } from "express";
import type { I18n } from "../contract";
import type { HostAuth } from "../auth/HostAuth";
import type { ViewRegistry } from "../views/ViewRegistry";
import { route } from "../http/errorHandler";
import { safeRedirect } from "../http/safeRedirect";


export function loginRoutes(auth: HostAuth, views: ViewRegistry, i18n: I18n, csrfToken: (req: Request) => string): Router {
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

  router.post("/web/login", (req, res, next) => {
    auth.passport.authenticate("local", (err: unknown, user: Express.User | false) => {
      if (err) return next(err);
      const redirect = safeRedirect(req.body?.redirect);
      if (!user) {
        i18n
          .forRequest(req)
          .then((t) =>
            views.render(req, "host/login", {
              title: t("Log in"),
              loginCsrf: csrfToken(req),
              redirect,
              login: typeof req.body?.login === "string" ? req.body.login : "",
              error: t("Wrong login/password"),
            }),
          )
          .then((html) => res.status(401).type("html").send(html), next);
        return;
      }
      // A fresh session id on login prevents session fixation.
      req.logIn(user, (loginErr) => (loginErr ? next(loginErr) : res.redirect(redirect)));
    })(req, res, next);
  });

  router.post("/web/logout", (req, res, next) => {
    req.logOut((err) => {
      if (err) return next(err);
      req.session.destroy(() => res.redirect("/web/login"));
    });
  });

  return router;
}
