import { Router, type Request } from "express";
import { lt, InvalidInputError, NotFoundError, parseId, type HostContract, type HostUser } from "../../host/contract";
import { OPERATOR_GROUP } from "../api";
import type { ComposerCommands } from "../services/commands/ComposerCommands";
import type { OperatorInbox } from "../services/conversations/OperatorInbox";
import { asyncRoute } from "./asyncRoute";

/** Composer commands (docs/api.md): the list for `/` and running one in a conversation. */
export function commandApi(host: HostContract, commands: ComposerCommands, inbox: OperatorInbox): void {
  const api = Router();
  api.use(host.auth.requireGroup(OPERATOR_GROUP));
  const me = (req: Request) => host.auth.currentUser(req) as HostUser;

  api.get(
    "/commands",
    asyncRoute(async (req, res) => {
      const user = me(req);
      res.json({ commands: (await commands.available(user)).map((c) => ({ name: c.name, description: c.describe(user.langCode) })) });
    }),
  );

  api.post(
    "/conversations/:id/commands",
    asyncRoute(async (req, res) => {
      const id = parseId(req.params.id);
      if (id === null) throw new NotFoundError(lt("No such conversation for you."));
      const text: unknown = req.body?.text;
      if (typeof text !== "string") throw new InvalidInputError(lt("A command starts with / and its name, such as /help."));
      const conversation = await inbox.conversation(id, me(req));
      res.json({ notice: await commands.run(conversation, me(req), text) });
    }),
  );

  host.router.use("/livechat/api", api);
}
