import type { Request } from "express";
import { lt, InvalidInputError, NotFoundError, parseId, type DomainError, type HostContract } from "../../host/contract";
import { MANAGER_GROUP } from "../api";
import { STEP_TYPES } from "../models/ChatbotStep";
import type { ChatbotScripts } from "../services/chatbot/ChatbotScripts";
import type { ExpertiseService } from "../services/ExpertiseService";
import { asyncRoute } from "./asyncRoute";
import { recordFirst } from "./recordFirst";
import { parseScriptForm, scriptFormValues } from "./scriptForm";
import { languageLinks } from "./translationRoutes";

const STEP_LABELS: Record<(typeof STEP_TYPES)[number], string> = {
  message: lt("Message"),
  question: lt("Question (answer buttons)"),
  text: lt("Free text (single line)"),
  textarea: lt("Free text (multi-line)"),
  email: lt("Email"),
  phone: lt("Phone"),
  forward: lt("Forward to operator"),
};

/** Live Chat → Configuration → Chatbots (managers): scripts and their steps. */
export function chatbotRoutes(host: HostContract, scripts: ChatbotScripts, expertise: ExpertiseService): void {
  const { router, auth, views } = host;
  const manager = auth.requireGroup(MANAGER_GROUP);
  const scriptExists = recordFirst(new NotFoundError(lt("This chatbot script does not exist.")), (id) => scripts.load(id));

  const renderForm = async (req: Request, form: Record<string, unknown>, error?: DomainError) => {
    const t = await host.i18n.forRequest(req);
    const allExpertise = await expertise.list();
    const steps = ((form.steps as { type: string; expertiseIds: number[] }[] | undefined) ?? []).map((s, i) => ({
      ...s,
      index: i,
      number: i + 1,
      types: STEP_TYPES.map((type) => ({ type, label: t(STEP_LABELS[type]), selected: type === s.type })),
      expertise: allExpertise.map((e) => ({ id: e.id, name: e.name, selected: s.expertiseIds.includes(e.id) })),
    }));
    return views.render(req, "livechat/chatbot_form", {
      title: form.id ? String(form.name) : t("New"),
      form: { ...form, steps },
      stepTypes: STEP_TYPES.map((type) => ({ type, label: t(STEP_LABELS[type]) })),
      allExpertise,
      languages: form.id ? await languageLinks(host, req, `/livechat/chatbots/${String(form.id)}`, null) : null,
      error: error && t(error.key, error.vars),
    });
  };

  router.get(
    "/livechat/chatbots",
    manager,
    asyncRoute(async (req, res) => {
      const list = await Promise.all((await scripts.list()).map(async (s) => ({ ...s, steps: (await scripts.load(s.id)).steps.length })));
      const t = await host.i18n.forRequest(req);
      res.type("html").send(await views.render(req, "livechat/chatbot_list", { title: t("Chatbots"), scripts: list }));
    }),
  );

  router.get(
    "/livechat/chatbots/new",
    manager,
    asyncRoute(async (req, res) => {
      res.type("html").send(await renderForm(req, { botName: "Bot", steps: [{ type: "message", text: "", answers: "", expertiseIds: [] }] }));
    }),
  );

  router.get(
    "/livechat/chatbots/:id",
    scriptExists,
    manager,
    asyncRoute(async (req, res) => {
      const id = parseId(req.params.id);
      if (id === null) throw new NotFoundError(lt("This chatbot script does not exist."));
      res.type("html").send(await renderForm(req, scriptFormValues(await scripts.load(id))));
    }),
  );

  router.post(
    "/livechat/chatbots/:id",
    scriptExists,
    manager,
    asyncRoute(async (req, res) => {
      const id = req.params.id === "new" ? null : parseId(req.params.id);
      if (req.params.id !== "new" && id === null) throw new NotFoundError(lt("This chatbot script does not exist."));
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const savedId = await scripts.save(id, parseScriptForm(body));
        res.redirect(`/livechat/chatbots/${savedId}`);
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        const rawSteps = body.steps && typeof body.steps === "object" ? Object.values(body.steps as Record<string, Record<string, unknown>>) : [];
        const steps = rawSteps.map((s) => ({
          type: String(s.type ?? "message"),
          text: String(s.text ?? ""),
          answers: String(s.answers ?? ""),
          endsScript: s.ends_script === "on",
          expertiseIds: [s.expertise_ids ?? []].flat().map(Number),
        }));
        res.status(400).type("html").send(await renderForm(req, { id, name: body.name, botName: body.bot_name, steps }, err));
      }
    }),
  );
}
