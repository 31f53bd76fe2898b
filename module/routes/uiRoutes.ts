import path from "node:path";
import type { Request } from "express";
import { parseId, type HostContract } from "../../host/contract";
import { OPERATOR_GROUP } from "../api";
import type { ChannelService } from "../services/ChannelService";
import { asyncRoute } from "./asyncRoute";

/** The widget bundle, built from module/client by scripts/buildClient.ts. */
const WIDGET_FILE = path.join(__dirname, "../static/build/widget.js");

/** The origin visitors reached the host on, for the snippet shown on the demo page. */
function publicOrigin(req: Request): string {
  return `${req.protocol}://${req.get("host") ?? "localhost"}`;
}

/** Discuss for operators; the embeddable widget and its demo page for visitors. */
export function uiRoutes(host: HostContract, channelService: ChannelService): void {
  host.router.get(
    "/livechat/discuss",
    host.auth.requireGroup(OPERATOR_GROUP),
    asyncRoute(async (req, res) => {
      const t = await host.i18n.forRequest(req);
      res.type("html").send(await host.views.render(req, "livechat/discuss", { title: t("Discuss") }));
    }),
  );

  host.publicRouter.get("/livechat/loader.js", (_req, res, next) => {
    res.type("application/javascript");
    res.set("Cache-Control", "public, max-age=300");
    // Websites may load it with crossorigin="anonymous", so that not even this request carries cookies.
    res.set("Access-Control-Allow-Origin", "*");
    res.sendFile(WIDGET_FILE, (err) => err && next(err));
  });

  // A page of "any website", on purpose outside the helpdesk's layout: its own look, no backend
  // assets, only the one script tag a real website would add.
  host.publicRouter.get(
    "/livechat/demo",
    asyncRoute(async (req, res) => {
      const requested = parseId(req.query.channel);
      const channels = await channelService.records();
      const channel = (requested ? channels.find((c) => c.id === requested) : channels[0]) ?? null;
      const html = await host.views.render(
        req,
        "livechat/demo",
        {
          title: "",
          channel: channel && { id: channel.id, name: channel.name },
          missing: requested !== null && !channel,
          others: channels.filter((c) => c !== channel).map((c) => ({ id: c.id, name: c.name })),
          loaderUrl: channel ? `${publicOrigin(req)}/livechat/loader.js?channel=${channel.id}` : "",
        },
        { layout: false },
      );
      res.status(requested !== null && !channel ? 404 : 200).type("html").send(html);
    }),
  );
}
