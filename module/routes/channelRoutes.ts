import type { Request } from "express";
import { z } from "zod";
import { isCleanName, lt, ConflictError, InvalidInputError, NotFoundError, parseId, type DomainError, type HostContract, type HostUser } from "../../host/contract";
import { MANAGER_GROUP, OPERATOR_GROUP } from "../api";
import type { ChannelService } from "../services/ChannelService";
import { channelCard } from "../services/channelCard";
import { asyncRoute } from "./asyncRoute";
import { recordFirst } from "./recordFirst";
import { manyIds } from "./formFields";
import { languageLinks } from "./translationRoutes";

const channelForm = z.object({
  name: z
    .string()
    .trim()
    .min(1, lt("Channel Name is required."))
    .max(128, lt("Channel Name is at most 128 characters."))
    .refine(isCleanName, lt("Channel Name cannot contain control or text-direction characters, nor be only invisible characters.")),
  welcome_message: z.string().trim().max(1000, lt("The welcome message is at most 1000 characters.")).optional().default(""),
  button_text: z.string().trim().min(1, lt("Text of the Button is required.")).max(64, lt("Text of the Button is at most 64 characters.")),
  max_sessions: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? Number(v) : null))
    .refine((v) => v === null || (Number.isInteger(v) && v >= 1 && v <= 1000), lt("Max Sessions per Operator is a whole number from 1 to 1000, or empty.")),
  member_ids: manyIds(lt("Operators must be chosen from the list.")),
  chatbot_script_id: z
    .string()
    .optional()
    .refine((v) => !v || parseId(v) !== null, lt("Chatbot must be chosen from the list."))
    .transform((v) => (v ? parseId(v) : null)),
});

/** Live Chat → Channels: the kanban with Join / Leave, and the managers' channel form. */
export function channelRoutes(host: HostContract, channels: ChannelService): void {
  const { router, auth, views } = host;
  const operator = auth.requireGroup(OPERATOR_GROUP);
  const manager = auth.requireGroup(MANAGER_GROUP);
  const channelExists = recordFirst(new NotFoundError(lt("This channel does not exist.")), (id) => channels.get(id));
  const currentUser = (req: Request) => auth.currentUser(req) as HostUser;

  router.get(
    "/livechat/channels",
    operator,
    asyncRoute(async (req, res) => {
      const user = currentUser(req);
      const t = await host.i18n.forRequest(req);
      const cards = (await channels.list()).map((c) => channelCard(c, user));
      const isManager = host.users.hasGroup(user, MANAGER_GROUP);
      res.type("html").send(await views.render(req, "livechat/channels", { title: t("Channels"), cards, isManager }));
    }),
  );

  // Any logged-in user may try, so that a plain internal user gets a clear refusal rather than a 404.
  for (const action of ["join", "leave"] as const) {
    router.post(
      `/livechat/channels/:id/${action}`,
      asyncRoute(async (req, res) => {
        const id = parseId(req.params.id);
        if (id === null) throw new NotFoundError(lt("This channel does not exist."));
        const user = currentUser(req);
        if (action === "join") await channels.join(id, user);
        else await channels.leave(id, user);
        if (req.accepts(["html", "json"]) === "json") {
          res.json({ channel: channelCard(await channels.get(id), user) });
        } else {
          res.redirect("/livechat/channels");
        }
      }),
    );
  }

  const renderForm = async (req: Request, form: Record<string, unknown>, selected: number[], error?: DomainError) => {
    const t = await host.i18n.forRequest(req);
    const operators = (await host.users.inGroup(OPERATOR_GROUP)).map((u) => ({ id: u.id, name: u.name, selected: selected.includes(u.id) }));
    const scripts = (await channels.scriptChoices()).map((s) => ({
      id: s.id,
      name: s.name,
      selected: Number(form.chatbotScriptId) === s.id,
    }));
    return views.render(req, "livechat/channel_form", {
      title: form.id ? String(form.name) : t("New"),
      form,
      operators,
      scripts,
      languages: form.id ? await languageLinks(host, req, `/livechat/channels/${String(form.id)}`, null) : null,
      error: error && t(error.key, error.vars),
    });
  };

  router.get(
    "/livechat/channels/new",
    manager,
    asyncRoute(async (req, res) => {
      const t = await host.i18n.forRequest(req);
      res.type("html").send(await renderForm(req, { buttonText: t("Have a question? Chat with us."), welcomeMessage: "" }, []));
    }),
  );

  router.get(
    "/livechat/channels/:id",
    channelExists,
    manager,
    asyncRoute(async (req, res) => {
      const id = parseId(req.params.id);
      if (id === null) throw new NotFoundError(lt("This channel does not exist."));
      const { channel, members } = await channels.get(id);
      res.type("html").send(await renderForm(req, { ...channel }, members.map((m) => m.id)));
    }),
  );

  router.post(
    "/livechat/channels/:id",
    channelExists,
    manager,
    asyncRoute(async (req, res) => {
      const id = req.params.id === "new" ? null : parseId(req.params.id);
      if (req.params.id !== "new" && id === null) throw new NotFoundError(lt("This channel does not exist."));
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const parsed = channelForm.safeParse(body);
        if (!parsed.success) {
          const t = await host.i18n.forRequest(req);
          throw new InvalidInputError(parsed.error.issues.map((i) => t(i.message)).join(" "));
        }
        const d = parsed.data;
        await channels.save(
          id,
          {
            name: d.name,
            welcomeMessage: d.welcome_message,
            buttonText: d.button_text,
            maxSessions: d.max_sessions,
            memberIds: d.member_ids,
            chatbotScriptId: d.chatbot_script_id,
          },
          currentUser(req),
        );
        res.redirect("/livechat/channels");
      } catch (err) {
        if (!(err instanceof InvalidInputError || err instanceof ConflictError)) throw err;
        const selected = [body.member_ids ?? []].flat().map(Number);
        const form = {
          id,
          name: body.name,
          welcomeMessage: body.welcome_message,
          buttonText: body.button_text,
          maxSessions: body.max_sessions,
          chatbotScriptId: body.chatbot_script_id,
        };
        res.status(err instanceof ConflictError ? 409 : 400).type("html").send(await renderForm(req, form, selected, err));
      }
    }),
  );
}
