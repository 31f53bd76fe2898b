import type { EntityManager } from "typeorm";
import { ConflictError, type HostContract } from "../../../host/contract";
import type { ChatbotStep } from "../../models/ChatbotStep";
import { Conversation } from "../../models/Conversation";
import { ConversationAnswer } from "../../models/ConversationAnswer";
import { ConversationExpertise } from "../../models/ConversationExpertise";
import { LivechatChannel } from "../../models/LivechatChannel";
import type { AssignmentService } from "../assignment/AssignmentService";
import type { ChatbotHooks, ConversationService, PostResult } from "../conversations/ConversationService";
import { checkAnswer, type Then } from "./answerCheck";
import type { ChatbotScripts, LoadedScript } from "./ChatbotScripts";

export const NOBODY_AVAILABLE =
  "No operator is available right now. You are in the queue: an operator will answer as soon as possible.";

/**
 * Runs a channel's chatbot script in a conversation: says each step as a bot message (stored like any
 * other), waits at questions and inputs, checks answers, and forwards to an operator with the step's
 * expertise, under the usual assignment rules and lock.
 */
export class ChatbotRunner implements ChatbotHooks {
  constructor(
    private readonly host: HostContract,
    private readonly scripts: ChatbotScripts,
    private readonly conversations: ConversationService,
    private readonly assignment: AssignmentService,
  ) {}

  async begin(m: EntityManager, conversation: Conversation, channel: LivechatChannel): Promise<void> {
    await this.runFrom(m, conversation, channel, await this.scripts.load(conversation.chatbotScriptId as number, m), 0);
  }

  async view(conversation: Conversation) {
    const loaded = await this.scripts.load(conversation.chatbotScriptId as number);
    const step = loaded.steps.find((s) => s.id === conversation.chatbotStepId);
    return {
      name: loaded.script.botName,
      step: step ? { id: step.id, type: step.type, answers: (loaded.answers.get(step.id) ?? []).map((a) => ({ id: a.id, label: a.label })) } : null,
    };
  }

  botNames(scriptIds: number[]): Promise<Map<number, string>> {
    return this.scripts.botNames(scriptIds);
  }

  /** The visitor's answer to the waiting step: checked first, stored as their message, then the script goes on. */
  async answer(conversation: Conversation, body: string, clientMessageId: string | null): Promise<PostResult> {
    const loaded = await this.scripts.load(conversation.chatbotScriptId as number);
    const index = loaded.steps.findIndex((s) => s.id === conversation.chatbotStepId);
    if (index < 0) throw new ConflictError("The chatbot is not waiting for an answer.");
    const step = loaded.steps[index];
    const { value, then } = checkAnswer(loaded.steps, index, loaded.answers.get(step.id) ?? [], body);
    const posted = await this.conversations.post(conversation, { kind: "visitor", userId: null }, body, clientMessageId);
    if (!posted.created) return posted;
    await this.assignment.serialize(() =>
      this.host.db.transaction(async (m) => {
        await this.assignment.lock(m);
        const current = await m.getRepository(Conversation).findOneByOrFail({ id: conversation.id });
        // Another answer to the same step got here first: this one is kept as a message only.
        if (current.chatbotStepId !== step.id) return;
        await m.getRepository(ConversationAnswer).save({ conversationId: current.id, stepId: step.id, question: step.text, value });
        const channel = await m.getRepository(LivechatChannel).findOneByOrFail({ id: current.channelId });
        await this.runFrom(m, current, channel, loaded, then === "end" ? loaded.steps.length : then);
      }),
    );
    return posted;
  }

  /** Says steps from `index` on, until one waits for the visitor, an operator takes over, or the script ends. */
  private async runFrom(m: EntityManager, conversation: Conversation, channel: LivechatChannel, loaded: LoadedScript, index: number): Promise<void> {
    const repo = m.getRepository(Conversation);
    let position: Then = index;
    while (position !== "end" && position < loaded.steps.length) {
      const step: ChatbotStep = loaded.steps[position];
      await this.say(m, conversation, step.text);
      const next: Then = step.endsScript ? "end" : position + 1;
      if (step.type === "message") {
        position = next;
        continue;
      }
      if (step.type === "forward") {
        await this.requestExpertise(m, conversation, loaded.expertise.get(step.id) ?? []);
        conversation.chatbotStepId = null;
        await repo.save(conversation);
        if (await this.conversations.assignWithin(m, conversation, channel)) return;
        conversation.state = "waiting";
        await repo.save(conversation);
        await this.say(m, conversation, NOBODY_AVAILABLE);
        await this.conversations.publishQueue(m, channel.id);
        position = next;
        continue;
      }
      conversation.chatbotStepId = step.id;
      await repo.save(conversation);
      await this.conversations.publishConversation(m, conversation);
      return;
    }
    conversation.chatbotStepId = null;
    if (conversation.state === "bot") {
      conversation.state = "closed";
      conversation.closedAt = this.host.clock.now();
      conversation.closedReason = "chatbot";
    }
    await repo.save(conversation);
    await this.conversations.publishConversation(m, conversation);
  }

  /** What a forward step asks for replaces what an earlier one asked for. */
  private async requestExpertise(m: EntityManager, conversation: Conversation, expertiseIds: number[]): Promise<void> {
    const links = m.getRepository(ConversationExpertise);
    await links.delete({ conversationId: conversation.id });
    if (expertiseIds.length) await links.insert(expertiseIds.map((expertiseId) => ({ conversationId: conversation.id, expertiseId })));
  }

  private async say(m: EntityManager, conversation: Conversation, text: string): Promise<void> {
    await this.conversations.addMessageWithin(m, conversation, { kind: "bot", userId: null }, text, null, false);
  }
}
