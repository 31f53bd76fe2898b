import { Router, type Request } from "express";
import { z } from "zod";
import { InvalidInputError, MAX_RECORD_ID, NotFoundError, lt, parseId, type HostContract, type HostUser } from "../../host/contract";
import { OPERATOR_GROUP } from "../api";
import type { OperatorInbox } from "../services/conversations/OperatorInbox";
import type { TransferService } from "../services/transfer/TransferService";
import { asyncRoute } from "./asyncRoute";

const recordId = z.number().int().positive().max(MAX_RECORD_ID);
const transferBody = z.union([z.object({ operatorId: recordId }).strict(), z.object({ channelId: recordId }).strict()]);

/** Transfers (docs/api.md): the choices, and the transfer itself; the conversation's operator or a manager. */
export function transferApi(host: HostContract, transfers: TransferService, inbox: OperatorInbox): void {
  const api = Router();
  api.use(host.auth.requireGroup(OPERATOR_GROUP));
  const me = (req: Request) => host.auth.currentUser(req) as HostUser;
  const ownConversation = async (req: Request) => {
    const id = parseId(req.params.id);
    if (id === null) throw new NotFoundError(lt("No such conversation for you."));
    const conversation = await inbox.conversation(id, me(req));
    inbox.requireOwner(conversation, me(req), lt("Only the operator of this conversation can transfer it."));
    return conversation;
  };

  api.get(
    "/conversations/:id/transfer",
    asyncRoute(async (req, res) => {
      res.json(await transfers.choices(await ownConversation(req)));
    }),
  );

  api.post(
    "/conversations/:id/transfer",
    asyncRoute(async (req, res) => {
      const conversation = await ownConversation(req);
      const parsed = transferBody.safeParse(req.body ?? {});
      if (!parsed.success) throw new InvalidInputError(lt("Give either operatorId (an available operator of the channel) or channelId (another channel)."));
      res.json({ transfer: await transfers.transfer(conversation.id, me(req), parsed.data) });
    }),
  );

  host.router.use("/livechat/api", api);
}
