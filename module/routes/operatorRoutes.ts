import { lt, InvalidInputError, NotFoundError, parseId, type HostContract } from "../../host/contract";
import { MANAGER_GROUP, OPERATOR_GROUP } from "../api";
import type { ChannelService } from "../services/ChannelService";
import type { ExpertiseService } from "../services/ExpertiseService";
import type { OperatorProfiles } from "../services/OperatorProfiles";
import { operatorFieldsView } from "./operatorFieldsView";
import { carriesOperatorFields, parseOperatorSettings } from "./operatorSettingsForm";
import { asyncRoute } from "./asyncRoute";
import { recordFirst } from "./recordFirst";

const INCOMPLETE_FORM = lt("This form did not carry the operator's live chat fields, so nothing was saved. Reload the page and try again.");

/** Live Chat → Configuration → Operators (managers): every operator's live chat settings. */
export function operatorRoutes(host: HostContract, profiles: OperatorProfiles, expertise: ExpertiseService, channels: ChannelService): void {
  const { router, auth, views } = host;
  const manager = auth.requireGroup(MANAGER_GROUP);

  const findOperator = async (raw: unknown) => {
    const id = parseId(raw);
    const user = id === null ? null : await host.users.get(id);
    if (!user || !host.users.hasGroup(user, OPERATOR_GROUP)) throw new NotFoundError(lt("This user is not a live chat operator."));
    return user;
  };
  const operatorExists = recordFirst(new NotFoundError(lt("This user is not a live chat operator.")), (id) => findOperator(String(id)));

  router.get(
    "/livechat/operators",
    manager,
    asyncRoute(async (req, res) => {
      const t = await host.i18n.forRequest(req);
      const operators = await host.users.inGroup(OPERATOR_GROUP);
      const ids = operators.map((u) => u.id);
      const [settings, languages, expertiseNames, allChannels] = await Promise.all([
        profiles.getMany(ids),
        // A language disabled on the host is kept on profiles but no longer shown, as in My Profile.
        host.langs.list({ enabledOnly: true }),
        expertise.list(),
        channels.list(),
      ]);
      const langName = new Map(languages.map((l) => [l.code, l.name]));
      const rows = operators.map((u) => {
        const s = settings.get(u.id);
        return {
          id: u.id,
          name: u.name,
          chatName: s?.chatName ?? "",
          languages: (s?.langCodes ?? []).flatMap((c) => langName.get(c) ?? []).join(", "),
          expertise: expertiseNames.filter((e) => e.operatorIds.includes(u.id)).map((e) => e.name).join(", "),
          channels: allChannels.filter((c) => c.members.some((m) => m.id === u.id)).map((c) => c.channel.name).join(", "),
        };
      });
      res.type("html").send(await views.render(req, "livechat/operators", { title: t("Operators"), operators: rows }));
    }),
  );

  router.get(
    "/livechat/operators/:id",
    operatorExists,
    manager,
    asyncRoute(async (req, res) => {
      const operator = await findOperator(req.params.id);
      const lc = await operatorFieldsView(host, profiles, expertise, operator);
      res.type("html").send(await views.render(req, "livechat/operator_form", { title: operator.name, operator, lc, saved: req.query.saved === "1" }));
    }),
  );

  router.post(
    "/livechat/operators/:id",
    operatorExists,
    manager,
    asyncRoute(async (req, res) => {
      const operator = await findOperator(req.params.id);
      try {
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (!carriesOperatorFields(body)) throw new InvalidInputError(INCOMPLETE_FORM);
        const stored = (await profiles.get(operator.id)).langCodes;
        const settings = await parseOperatorSettings(host, expertise, body, stored);
        await profiles.save(operator.id, settings);
        res.redirect(`/livechat/operators/${operator.id}?saved=1`);
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        const t = await host.i18n.forRequest(req);
        const lc = await operatorFieldsView(host, profiles, expertise, operator);
        const error = t(err.key, err.vars);
        res.status(400).type("html").send(await views.render(req, "livechat/operator_form", { title: operator.name, operator, lc, error }));
      }
    }),
  );
}
