import type { Request } from "express";
import { z } from "zod";
import { lt, ConflictError, InvalidInputError, NotFoundError, parseId, type DomainError, type HostContract, type HostUser } from "../../host/contract";
import { OPERATOR_GROUP } from "../api";
import { CANNED_TEXT_MAX, SHORTCUT_MAX, type CannedResponses } from "../services/CannedResponses";
import { asyncRoute } from "./asyncRoute";
import { manyIds } from "./formFields";

const responseForm = z.object({
  shortcut: z.string().optional().default(""),
  text: z.string().optional().default(""),
  channel_ids: manyIds(lt("Channels must be chosen from the list.")),
});

const missing = () => new NotFoundError(lt("This canned response does not exist (it may have been deleted)."));

/** Live Chat → Configuration → Canned Responses: every operator lists them and keeps their own; managers edit all. */
export function cannedResponseRoutes(host: HostContract, responses: CannedResponses): void {
  const { router, auth, views } = host;
  const operator = auth.requireGroup(OPERATOR_GROUP);
  const me = (req: Request) => auth.currentUser(req) as HostUser;

  const renderForm = async (
    req: Request,
    form: { id?: number | null; shortcut?: unknown; text?: unknown; createdBy?: number },
    selected: number[],
    error?: DomainError,
  ) => {
    const t = await host.i18n.forRequest(req);
    const channels = (await responses.channelChoices()).map((c) => ({ ...c, selected: selected.includes(c.id) }));
    const editable = form.createdBy === undefined || responses.mayEdit({ createdBy: form.createdBy }, me(req));
    return views.render(req, "livechat/canned_response_form", {
      title: form.id ? `:${String(form.shortcut)}` : t("New"),
      form,
      channels,
      editable,
      shortcutMax: SHORTCUT_MAX,
      textMax: CANNED_TEXT_MAX,
      error: error && t(error.key, error.vars),
    });
  };

  router.get(
    "/livechat/canned-responses",
    operator,
    asyncRoute(async (req, res) => {
      const t = await host.i18n.forRequest(req);
      const [list, channels] = await Promise.all([responses.list(), responses.channelChoices()]);
      const authors = new Map((await host.users.getMany([...new Set(list.map((r) => r.createdBy))])).map((u) => [u.id, u.name]));
      const channelName = new Map(channels.map((c) => [c.id, c.name]));
      const rows = list.map((r) => ({
        ...r,
        author: authors.get(r.createdBy) ?? "",
        channels: r.channelIds.length ? r.channelIds.map((id) => channelName.get(id) ?? "").join(", ") : t("All channels"),
      }));
      res.type("html").send(await views.render(req, "livechat/canned_response_list", { title: t("Canned Responses"), responses: rows }));
    }),
  );

  router.get(
    "/livechat/canned-responses/new",
    operator,
    asyncRoute(async (req, res) => {
      res.type("html").send(await renderForm(req, {}, []));
    }),
  );

  router.get(
    "/livechat/canned-responses/:id",
    operator,
    asyncRoute(async (req, res) => {
      const id = parseId(req.params.id);
      if (id === null) throw missing();
      const found = await responses.get(id);
      res.type("html").send(await renderForm(req, found, found.channelIds));
    }),
  );

  router.post(
    "/livechat/canned-responses/:id",
    operator,
    asyncRoute(async (req, res) => {
      const id = req.params.id === "new" ? null : parseId(req.params.id);
      if (req.params.id !== "new" && id === null) throw missing();
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const parsed = responseForm.safeParse(body);
        if (!parsed.success) {
          const t = await host.i18n.forRequest(req);
          throw new InvalidInputError(parsed.error.issues.map((i) => t(i.message)).join(" "));
        }
        await responses.save(id, { shortcut: parsed.data.shortcut, text: parsed.data.text, channelIds: parsed.data.channel_ids }, me(req));
        res.redirect("/livechat/canned-responses");
      } catch (err) {
        if (!(err instanceof InvalidInputError || err instanceof ConflictError)) throw err;
        const selected = [body.channel_ids ?? []].flat().map(Number);
        const status = err instanceof ConflictError ? 409 : 400;
        res.status(status).type("html").send(await renderForm(req, { id, shortcut: body.shortcut, text: body.text }, selected, err));
      }
    }),
  );

  router.post(
    "/livechat/canned-responses/:id/delete",
    operator,
    asyncRoute(async (req, res) => {
      const id = parseId(req.params.id);
      if (id === null) throw missing();
      await responses.delete(id, me(req));
      res.redirect("/livechat/canned-responses");
    }),
  );
}
