import type { Request } from "express";
import { InvalidInputError, type HostContract } from "../../host/contract";
import { MANAGER_GROUP } from "../api";
import { DEFAULT_LANGUAGE, LivechatSettings } from "../services/settings/livechatSettings";
import { asyncRoute } from "./asyncRoute";

/** Live Chat → Configuration → Settings (managers): timeouts and limits, applied without a restart. */
export function settingsRoutes(host: HostContract): void {
  const settings = new LivechatSettings(host);
  const manager = host.auth.requireGroup(MANAGER_GROUP);

  const render = async (req: Request, posted: Record<string, unknown> | null, extra: { saved?: boolean; error?: InvalidInputError }) => {
    const t = await host.i18n.forRequest(req);
    const fields = (await settings.values()).map((s) => ({
      key: s.key,
      id: s.key.replace(/\./g, "-"),
      label: t(s.label),
      unit: t(s.unit),
      help: t(s.help),
      defaultValue: s.defaultValue,
      min: s.min,
      max: s.max,
      value: posted ? String(posted[s.key] ?? "") : String(s.value),
      invalid: extra.error?.details?.field === s.key,
    }));
    const lang = await settings.defaultLanguage();
    const chosen = posted ? String(posted[lang.key] ?? lang.value) : lang.value;
    const language = {
      key: lang.key,
      id: lang.key.replace(/\./g, "-"),
      invalid: extra.error?.details?.field === lang.key,
      choices: lang.choices.map((c) => ({ ...c, selected: c.code === chosen })),
      defaultName: lang.choices.find((c) => c.code === DEFAULT_LANGUAGE)?.name ?? DEFAULT_LANGUAGE,
    };
    // The label comes translated already: it fills a placeholder of the message.
    const error = extra.error && t(extra.error.key, { ...extra.error.vars, label: fields.find((f) => f.invalid)?.label ?? "" });
    return host.views.render(req, "livechat/settings", { title: t("Settings"), fields, language, saved: extra.saved, error });
  };

  host.router.get(
    "/livechat/settings",
    manager,
    asyncRoute(async (req, res) => {
      res.type("html").send(await render(req, null, { saved: req.query.saved === "1" }));
    }),
  );

  host.router.post(
    "/livechat/settings",
    manager,
    asyncRoute(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        await settings.save(body);
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        res.status(400).type("html").send(await render(req, body, { error: err }));
        return;
      }
      res.redirect("/livechat/settings?saved=1");
    }),
  );
}
