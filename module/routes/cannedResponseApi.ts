import { Router, type Request } from "express";
import { lt, NotFoundError, parseId, type HostContract, type HostUser } from "../../host/contract";
import { OPERATOR_GROUP } from "../api";
import type { OperatorInbox } from "../services/conversations/OperatorInbox";
import type { CannedResponses } from "../services/CannedResponses";
import type { OperatorProfiles } from "../services/OperatorProfiles";
import { asyncRoute } from "./asyncRoute";

/** What composers ask of canned responses (docs/api.md): the ones offered in a conversation, and counting a use. */
export function cannedResponseApi(host: HostContract, responses: CannedResponses, inbox: OperatorInbox, profiles: OperatorProfiles): void {
  const api = Router();
  api.use(host.auth.requireGroup(OPERATOR_GROUP));
  const me = (req: Request) => host.auth.currentUser(req) as HostUser;

  api.get(
    "/conversations/:id/canned-responses",
    asyncRoute(async (req, res) => {
      const id = parseId(req.params.id);
      if (id === null) throw new NotFoundError(lt("No such conversation for you."));
      const user = me(req);
      const conversation = await inbox.conversation(id, user);
      // The operator's name is the one the visitor sees: the Online Chat Name when there is one.
      const operatorName = (await profiles.displayNames([user.id])).get(user.id) ?? user.name;
      res.json({ responses: await responses.suggestions(conversation.channelId, { visitorName: conversation.visitorName, operatorName }) });
    }),
  );

  api.post(
    "/canned-responses/:id/use",
    asyncRoute(async (req, res) => {
      const id = parseId(req.params.id);
      if (id === null) throw new NotFoundError(lt("This canned response does not exist (it may have been deleted)."));
      await responses.recordUse(id);
      res.status(204).end();
    }),
  );

  host.router.use("/livechat/api", api);
}
