import { expect } from "chai";
import * as api from "../module/api";
import * as contract from "../host/contract";

/**
 * The public surfaces, pinned: integrators build on these names, so adding, renaming or removing one
 * is a decision taken here, in the open, not a side effect of a refactoring.
 */
describe("Public surfaces", () => {
  it("module/api.ts exports these values (types are checked by the build)", () => {
    expect(Object.keys(api).sort()).to.deep.equal([
      "MANAGER_GROUP",
      "OPERATOR_GROUP",
      "assignmentCandidates",
      "assignmentRanking",
      "channelJoined",
      "composerCommands",
      "conversationAssigned",
      "conversationClosed",
      "conversationStarted",
      "messagePosted",
    ]);
  });

  it("the extension points keep their hook names and the groups their ids", () => {
    expect({
      candidates: api.assignmentCandidates.name,
      ranking: api.assignmentRanking.name,
      started: api.conversationStarted.name,
      assigned: api.conversationAssigned.name,
      closed: api.conversationClosed.name,
      posted: api.messagePosted.name,
      joined: api.channelJoined.name,
      commands: api.composerCommands.name,
      groups: [api.OPERATOR_GROUP, api.MANAGER_GROUP],
    }).to.deep.equal({
      candidates: "livechat.assignment_candidates",
      ranking: "livechat.assignment_ranking",
      started: "livechat.conversation_created",
      assigned: "livechat.conversation_assigned",
      closed: "livechat.conversation_closed",
      posted: "livechat.message_posted",
      joined: "livechat.channel_joined",
      commands: "livechat.composer_commands",
      groups: ["livechat.user", "livechat.manager"],
    });
  });

  it("host/contract.ts exports these values, as its header lists them", () => {
    expect(Object.keys(contract).sort()).to.deep.equal([
      "ConflictError",
      "DomainError",
      "EventHook",
      "FilterHook",
      "ForbiddenError",
      "HOST_CONTRACT_VERSION",
      "InvalidInputError",
      "MAX_RECORD_ID",
      "NotFoundError",
      "PRESENCE_SETTINGS",
      "busAddress",
      "isBlankText",
      "isCleanName",
      "lt",
      "parseId",
      "portableType",
    ]);
  });
});
