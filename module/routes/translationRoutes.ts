import type { Request } from "express";
import { lt, NotFoundError, parseId, type HostContract } from "../../host/contract";
import { MANAGER_GROUP } from "../api";
import { LivechatChannel } from "../models/LivechatChannel";
import type { ChatbotScripts } from "../services/chatbot/ChatbotScripts";
import { parseFieldTranslations, parseTranslations } from "../services/contentTranslations";
import { asyncRoute } from "./asyncRoute";

/** One entry of a form's language switcher: the default texts, or one enabled language. */
export interface LanguageLink {
  name: string;
  href: string;
  current: boolean;
}

/** The language switcher of a record's form at `base` (its edit URL): the default, then each enabled language. */
export async function languageLinks(host: HostContract, req: Request, base: string, current: string | null): Promise<LanguageLink[]> {
  const t = await host.i18n.forRequest(req);
  const langs = await host.langs.list({ enabledOnly: true });
  return [
    { name: t("Default"), href: base, current: current === null },
    ...langs.map((l) => ({ name: l.name, href: `${base}/translate?lang=${encodeURIComponent(l.code)}`, current: l.code === current })),
  ];
}

/** A field of a translation form: the default text beside the translation being edited. */
interface TranslationField {
  id: string;
  name: string;
  label: string;
  defaultText: string;
  value: string;
  multiline: boolean;
  maxLength: number;
}

const text = (body: Record<string, unknown>, name: string) => (typeof body[name] === "string" ? (body[name] as string) : "");

/**
 * Translation forms (managers): a channel's welcome message and button text, and a chatbot script's
 * step texts and answer labels, in one enabled language at a time. An empty field leaves that text to
 * the default.
 */
export function translationRoutes(host: HostContract, scripts: ChatbotScripts): void {
  const manager = host.auth.requireGroup(MANAGER_GROUP);

  const languageOf = async (req: Request): Promise<{ code: string; name: string }> => {
    const code = typeof req.query.lang === "string" ? req.query.lang : "";
    const lang = (await host.langs.list({ enabledOnly: true })).find((l) => l.code === code);
    if (!lang) throw new NotFoundError(lt("This language is not enabled."));
    return lang;
  };

  const render = async (req: Request, page: { back: { label: string; href: string }; title: string; base: string; lang: string; fields: TranslationField[] }) =>
    host.views.render(req, "livechat/content_translation", {
      ...page,
      languages: await languageLinks(host, req, page.base, page.lang),
      action: `${page.base}/translate?lang=${encodeURIComponent(page.lang)}`,
    });

  const channelOf = async (req: Request): Promise<LivechatChannel> => {
    const id = parseId(req.params.id);
    const channel = id === null ? null : await host.db.getRepository(LivechatChannel).findOneBy({ id });
    if (!channel) throw new NotFoundError(lt("This channel does not exist."));
    return channel;
  };

  const channelFields = async (req: Request, channel: LivechatChannel, lang: string): Promise<TranslationField[]> => {
    const t = await host.i18n.forRequest(req);
    const texts = parseFieldTranslations(channel.translations);
    return [
      { id: "welcome", name: "welcome_message", label: t("Welcome Message"), defaultText: channel.welcomeMessage, value: texts.welcomeMessage?.[lang] ?? "", multiline: true, maxLength: 1000 },
      { id: "button", name: "button_text", label: t("Text of the Button"), defaultText: channel.buttonText, value: texts.buttonText?.[lang] ?? "", multiline: false, maxLength: 64 },
    ];
  };

  host.router.get(
    "/livechat/channels/:id/translate",
    manager,
    asyncRoute(async (req, res) => {
      const [channel, lang] = [await channelOf(req), await languageOf(req)];
      const t = await host.i18n.forRequest(req);
      res.type("html").send(
        await render(req, {
          back: { label: t("Channels"), href: "/livechat/channels" },
          title: `${channel.name} · ${lang.name}`,
          base: `/livechat/channels/${channel.id}`,
          lang: lang.code,
          fields: await channelFields(req, channel, lang.code),
        }),
      );
    }),
  );

  host.router.post(
    "/livechat/channels/:id/translate",
    manager,
    asyncRoute(async (req, res) => {
      const [channel, lang] = [await channelOf(req), await languageOf(req)];
      const body = (req.body ?? {}) as Record<string, unknown>;
      const texts = parseFieldTranslations(channel.translations);
      const welcome = { ...texts.welcomeMessage, [lang.code]: text(body, "welcome_message").trim().slice(0, 1000) };
      const button = { ...texts.buttonText, [lang.code]: text(body, "button_text").trim().slice(0, 64) };
      // Stored by language: {"fr_FR": {"welcomeMessage": …, "buttonText": …}}.
      const byLang: Record<string, Record<string, string>> = {};
      for (const [field, values] of [["welcomeMessage", welcome], ["buttonText", button]] as const) {
        for (const [code, value] of Object.entries(values)) if (value.trim()) byLang[code] = { ...byLang[code], [field]: value };
      }
      await host.db.getRepository(LivechatChannel).update({ id: channel.id }, { translations: Object.keys(byLang).length ? JSON.stringify(byLang) : null });
      res.redirect(`/livechat/channels/${channel.id}/translate?lang=${encodeURIComponent(lang.code)}`);
    }),
  );

  const scriptOf = async (req: Request) => {
    const id = parseId(req.params.id);
    if (id === null) throw new NotFoundError(lt("This chatbot script does not exist."));
    return scripts.load(id);
  };

  host.router.get(
    "/livechat/chatbots/:id/translate",
    manager,
    asyncRoute(async (req, res) => {
      const [loaded, lang] = [await scriptOf(req), await languageOf(req)];
      const t = await host.i18n.forRequest(req);
      const fields: TranslationField[] = loaded.steps.flatMap((step, i) => [
        {
          id: `step-${i}`,
          name: `step_${i}_text`,
          label: t("Step {number}", { number: i + 1 }),
          defaultText: step.text,
          value: parseTranslations(step.translations)[lang.code] ?? "",
          multiline: true,
          maxLength: 4000,
        },
        ...(loaded.answers.get(step.id) ?? []).map((answer, j) => ({
          id: `step-${i}-answer-${j}`,
          name: `step_${i}_answer_${j}`,
          label: t("Step {number}, answer {answer}", { number: i + 1, answer: j + 1 }),
          defaultText: answer.label,
          value: parseTranslations(answer.translations)[lang.code] ?? "",
          multiline: false,
          maxLength: 128,
        })),
      ]);
      res.type("html").send(
        await render(req, {
          back: { label: t("Chatbots"), href: "/livechat/chatbots" },
          title: `${loaded.script.name} · ${lang.name}`,
          base: `/livechat/chatbots/${loaded.script.id}`,
          lang: lang.code,
          fields,
        }),
      );
    }),
  );

  host.router.post(
    "/livechat/chatbots/:id/translate",
    manager,
    asyncRoute(async (req, res) => {
      const [loaded, lang] = [await scriptOf(req), await languageOf(req)];
      const body = (req.body ?? {}) as Record<string, unknown>;
      await scripts.saveTranslation(
        loaded.script.id,
        lang.code,
        loaded.steps.map((step, i) => ({
          text: text(body, `step_${i}_text`),
          answers: (loaded.answers.get(step.id) ?? []).map((_, j) => text(body, `step_${i}_answer_${j}`)),
        })),
      );
      res.redirect(`/livechat/chatbots/${loaded.script.id}/translate?lang=${encodeURIComponent(lang.code)}`);
    }),
  );
}
