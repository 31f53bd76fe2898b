import path from "node:path";
import type { HostContract } from "../../host/contract";
import { LivechatChannel } from "../models/LivechatChannel";
import { asyncRoute, idParam } from "./asyncRoute";

const WIDGET_FILE = path.join(__dirname, "../static/widget.js");

/** Discuss for operators; the embeddable widget and its demo page for visitors. */
export function uiRoutes(host: HostContract): void {
  host.router.get(
    "/livechat/discuss",
    host.auth.requireGroup("livechat.user"),
    asyncRoute(async (req, res) => {
      res.type("html").send(await host.views.render(req, "livechat/discuss", { title: "Discuss" }));
    }),
  );

  host.publicRouter.get("/livechat/loader.js", (_req, res, next) => {
    res.type("application/javascript");
    res.set("Cache-Control", "public, max-age=300");
    res.sendFile(WIDGET_FILE, (err) => err && next(err));
  });

  host.publicRouter.get(
    "/livechat/demo",
    asyncRoute(async (req, res) => {
      const requested = idParam(req.query.channel);
      const repo = host.db.getRepository(LivechatChannel);
      const channel = requested ? await repo.findOneBy({ id: requested }) : (await repo.find({ order: { id: "ASC" }, take: 1 }))[0];
      res.type("html").send(await host.views.render(req, "livechat/demo", { title: "Demo website", channel: channel ?? null }));
    }),
  );
}
