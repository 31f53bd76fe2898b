import type { Request } from "express";
import { lt, InvalidInputError, NotFoundError, parseId, type DomainError, type HostContract } from "../../host/contract";
import { MANAGER_GROUP } from "../api";
import { STEP_TYPES, type ChatbotStepType } from "../models/ChatbotStep";
import type { ChatbotScripts } from "../services/chatbot/ChatbotScripts";
import type { ExpertiseService } from "../services/ExpertiseService";
import { asyncRoute } from "./asyncRoute";
import { recordFirst } from "./recordFirst";
import { STEP_FIELDS, parseScriptForm, postedFormValues, scriptFormValues, type StepFormValues } from "./scriptForm";
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

/** The start of a step's text, to name it in a list of jump targets. */
function excerpt(text: string): string {
  const line = text.trim().replace(/\s+/g, " ");
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

/** Live Chat → Configuration → Chatbots (managers): scripts and their steps. */
export function chatbotRoutes(host: HostContract, scripts: ChatbotScripts, expertise: ExpertiseService): void {
  const { router, auth, views } = host;
  const manager = auth.requireGroup(MANAGER_GROUP);
  const scriptExists = recordFirst(new NotFoundError(lt("This chatbot script does not exist.")), (id) => scripts.load(id));

  const renderForm = async (req: Request, form: { id?: number | null; name?: unknown; botName?: unknown; steps: StepFormValues[] }, error?: DomainError) => {
    const t = await host.i18n.forRequest(req);
    const allExpertise = await expertise.list();
    const targetLabel = (step: StepFormValues, i: number) => t("Step {number}: {text}", { number: i + 1, text: excerpt(step.text) });
    const steps = form.steps.map((s, i) => {
      const type = s.type as ChatbotStepType;
      const answerRows = s.answers.length || !STEP_FIELDS.answers.includes(type) ? s.answers : [{ label: "", then: "next" }];
      return {
        ...s,
        number: i + 1,
        showAnswers: STEP_FIELDS.answers.includes(type),
        showExpertise: STEP_FIELDS.expertise.includes(type),
        showEnds: STEP_FIELDS.ends.includes(type),
        types: STEP_TYPES.map((value) => ({ type: value, label: t(STEP_LABELS[value]), selected: value === s.type })),
        expertise: allExpertise.map((e) => ({ id: e.id, name: e.name, selected: s.expertiseIds.includes(e.id) })),
        answers: answerRows.map((a, j) => ({
          label: a.label,
          number: j + 1,
          targets: [
            { value: "next", label: t("Next step"), selected: a.then === "next" },
            { value: "end", label: t("End the script"), selected: a.then === "end" },
            ...form.steps.flatMap((other, k) =>
              k === i ? [] : [{ value: `step:${other.key}`, label: targetLabel(other, k), selected: a.then === `step:${other.key}` }],
            ),
          ],
        })),
      };
    });
    return views.render(req, "livechat/chatbot_form", {
      title: form.id ? String(form.name) : t("New"),
      form: { ...form, steps },
      stepTypes: STEP_TYPES.map((type) => ({ type, label: t(STEP_LABELS[type]) })),
      // Which types each group of fields belongs to: the editor shows a group for these types only.
      fieldTypes: { answers: STEP_FIELDS.answers.join(" "), expertise: STEP_FIELDS.expertise.join(" "), ends: STEP_FIELDS.ends.join(" ") },
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
      res.type("html").send(await renderForm(req, { botName: "Bot", steps: [{ key: "new-1", type: "message", text: "", endsScript: false, answers: [], expertiseIds: [] }] }));
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
        res.status(400).type("html").send(await renderForm(req, { id, name: body.name, botName: body.bot_name, steps: postedFormValues(body) }, err));
      }
    }),
  );
}
