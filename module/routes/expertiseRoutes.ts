import type { Request } from "express";
import { z } from "zod";
import { lt, ConflictError, InvalidInputError, NotFoundError, parseId, type DomainError, type HostContract } from "../../host/contract";
import { MANAGER_GROUP } from "../api";
import type { ExpertiseService } from "../services/ExpertiseService";
import { asyncRoute } from "./asyncRoute";
import { recordFirst } from "./recordFirst";
import { manyIds } from "./formFields";

const expertiseForm = z.object({
  name: z.string().optional().default(""),
  operator_ids: manyIds(lt("Operators must be chosen from the list.")),
});

/** Live Chat → Configuration → Expertise (managers): list, New, edit, delete. */
export function expertiseRoutes(host: HostContract, expertise: ExpertiseService): void {
  const { router, auth, views } = host;
  const manager = auth.requireGroup(MANAGER_GROUP);
  const expertiseExists = recordFirst(new NotFoundError(lt("This expertise does not exist.")), (id) => expertise.get(id));

  const renderForm = async (req: Request, form: { id?: number | null; name?: unknown }, selected: number[], error?: DomainError) => {
    const t = await host.i18n.forRequest(req);
    const operators = (await expertise.operators()).map((u) => ({ id: u.id, name: u.name, selected: selected.includes(u.id) }));
    return views.render(req, "livechat/expertise_form", {
      title: form.id ? String(form.name) : t("New"),
      form,
      operators,
      error: error && t(error.key, error.vars),
    });
  };

  router.get(
    "/livechat/expertise",
    manager,
    asyncRoute(async (req, res) => {
      const t = await host.i18n.forRequest(req);
      res.type("html").send(await views.render(req, "livechat/expertise_list", { title: t("Expertise"), expertise: await expertise.list() }));
    }),
  );

  router.get(
    "/livechat/expertise/new",
    manager,
    asyncRoute(async (req, res) => {
      res.type("html").send(await renderForm(req, {}, []));
    }),
  );

  router.get(
    "/livechat/expertise/:id",
    expertiseExists,
    manager,
    asyncRoute(async (req, res) => {
      const id = parseId(req.params.id);
      if (id === null) throw new NotFoundError(lt("This expertise does not exist."));
      const found = await expertise.get(id);
      res.type("html").send(await renderForm(req, found, found.operatorIds));
    }),
  );

  router.post(
    "/livechat/expertise/:id",
    expertiseExists,
    manager,
    asyncRoute(async (req, res) => {
      const id = req.params.id === "new" ? null : parseId(req.params.id);
      if (req.params.id !== "new" && id === null) throw new NotFoundError(lt("This expertise does not exist."));
      const body = (req.body ?? {}) as Record<string, unknown>;
      try {
        const parsed = expertiseForm.safeParse(body);
        if (!parsed.success) {
          const t = await host.i18n.forRequest(req);
          throw new InvalidInputError(parsed.error.issues.map((i) => t(i.message)).join(" "));
        }
        await expertise.save(id, { name: parsed.data.name, operatorIds: parsed.data.operator_ids });
        res.redirect("/livechat/expertise");
      } catch (err) {
        if (!(err instanceof InvalidInputError || err instanceof ConflictError)) throw err;
        const selected = [body.operator_ids ?? []].flat().map(Number);
        res.status(err instanceof ConflictError ? 409 : 400).type("html").send(await renderForm(req, { id, name: body.name }, selected, err));
      }
    }),
  );

  router.post(
    "/livechat/expertise/:id/delete",
    expertiseExists,
    manager,
    asyncRoute(async (req, res) => {
      const id = parseId(req.params.id);
      if (id === null) throw new NotFoundError(lt("This expertise does not exist."));
      await expertise.delete(id);
      res.redirect("/livechat/expertise");
    }),
  );
}
