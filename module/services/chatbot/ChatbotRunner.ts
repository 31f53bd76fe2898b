import type { EntityManager } from "typeorm";
import { ConflictError, lt, NotFoundError, type HostContract } from "../../../host/contract";
import type { ChatbotStep } from "../../models/ChatbotStep";
import { Conversation } from "../../models/Conversation";
import { ConversationAnswer } from "../../models/ConversationAnswer";
import { ConversationExpertise } from "../../models/ConversationExpertise";
import { LivechatChannel } from "../../models/LivechatChannel";
import type { ChatbotOpening } from "../conversations/ConversationLifecycle";
import type { PostResult } from "../conversations/ConversationMessages";
import { parseTranslations, translated } from "../contentTranslations";
import { checkAnswer, type Then } from "./answerCheck";
import type { ChatbotScripts, LoadedScript } from "./ChatbotScripts";

/** What the chatbot may do to a conversation; the conversation services provide it. */
export interface ChatbotConversations {
  /** Runs `work` in a transaction holding the assignment lock. */
  locked<T>(work: (m: EntityManager) => Promise<T>): Promise<T>;
  /** Stores the visitor's answer as their message (a retry returns the stored one). */
  postAnswer(conversation: Conversation, body: string, clientMessageId: string | null): Promise<PostResult>;
  /** Stores and tells a bot message. */
  say(m: EntityManager, conversation: Conversation, text: string): Promise<void>;
  /** Gives the conversation to an available operator; false when nobody can take it now. */
  assign(m: EntityManager, conversation: Conversation, channel: LivechatChannel): Promise<boolean>;
  /** Tells the visitor and the operator the conversation's state. */
  changed(m: EntityManager, conversation: Conversation): Promise<void>;
  /** Tells the channel's queue that the conversation joined it (maybe ahead of others: the queue is by arrival). */
  joinedQueue(m: EntityManager, conversation: Conversation): Promise<void>;
  /** Tells integrators, after commit, that the script ended the conversation. */
  closed(m: EntityManager, conversation: Conversation): void;
}

/**
 * Runs a channel's chatbot script in a conversation: says each step as a bot message (stored like any
 * other), waits at questions and inputs, checks answers, and forwards to an operator with the step's
 * expertise, under the usual assignment rules and lock.
 */
export class ChatbotRunner implements ChatbotOpening {
  constructor(
    private readonly host: HostContract,
    private readonly scripts: ChatbotScripts,
    private readonly conversations: ChatbotConversations,
  ) {}

  async begin(m: EntityManager, conversation: Conversation, channel: LivechatChannel): Promise<void> {
    await this.runFrom(m, conversation, channel, await this.scripts.load(conversation.chatbotScriptId as number, m), 0);
  }

  async view(conversation: Conversation) {
    const loaded = await this.scripts.load(conversation.chatbotScriptId as number);
    const step = loaded.steps.find((s) => s.id === conversation.chatbotStepId);
    return {
      name: loaded.script.botName,
      step: step
        ? {
            id: step.id,
            type: step.type,
            answers: (loaded.answers.get(step.id) ?? []).map((a) => ({ id: a.id, label: translated(a.label, parseTranslations(a.translations), conversation.visitorLang) })),
          }
        : null,
    };
  }

  /** The visitor's answer to the waiting step: checked first, stored as their message, then the script goes on. */
  async answer(conversation: Conversation, body: string, clientMessageId: string | null): Promise<PostResult> {
    const loaded = await this.scripts.load(conversation.chatbotScriptId as number);
    const index = loaded.steps.findIndex((s) => s.id === conversation.chatbotStepId);
    if (index < 0) throw new ConflictError(lt("The chatbot is not waiting for an answer."));
    const step = loaded.steps[index];
    const { value, then } = checkAnswer(loaded.steps, index, loaded.answers.get(step.id) ?? [], body, conversation.visitorLang);
    const posted = await this.conversations.postAnswer(conversation, body, clientMessageId);
    if (!posted.created) return posted;
    await this.conversations.locked(async (m) => {
      const current = await m.getRepository(Conversation).findOneBy({ id: conversation.id });
      if (!current) throw new NotFoundError(lt("This conversation no longer exists."));
      // Another answer to the same step got here first: this one is kept as a message only.
      if (current.chatbotStepId !== step.id) return;
      await m.getRepository(ConversationAnswer).save({ conversationId: current.id, stepId: step.id, question: step.text, value });
      const channel = await m.getRepository(LivechatChannel).findOneBy({ id: current.channelId });
      if (!channel) throw new NotFoundError(lt("This live chat channel does not exist."));
      await this.runFrom(m, current, channel, loaded, then === "end" ? loaded.steps.length : then);
    });
    return posted;
  }

  /** Says steps from `index` on, until one waits for the visitor, an operator takes over, or the script ends. */
  private async runFrom(m: EntityManager, conversation: Conversation, channel: LivechatChannel, loaded: LoadedScript, index: number): Promise<void> {
    const repo = m.getRepository(Conversation);
    let position: Then = index;
    while (position !== "end" && position < loaded.steps.length) {
      const step: ChatbotStep = loaded.steps[position];
      // In the conversation's language when the script has it.
      await this.say(m, conversation, translated(step.text, parseTranslations(step.translations), conversation.visitorLang));
      const next: Then = step.endsScript ? "end" : position + 1;
      if (step.type === "message") {
        position = next;
        continue;
      }
      if (step.type === "forward") {
        await this.requestExpertise(m, conversation, loaded.expertise.get(step.id) ?? []);
        conversation.chatbotStepId = null;
        await repo.save(conversation);
        if (await this.conversations.assign(m, conversation, channel)) return;
        // The widget says so with the visitor's live place in the queue; the script goes on meanwhile.
        conversation.state = "waiting";
        await repo.save(conversation);
        await this.conversations.joinedQueue(m, conversation);
        position = next;
        continue;
      }
      conversation.chatbotStepId = step.id;
      await repo.save(conversation);
      await this.conversations.changed(m, conversation);
      return;
    }
    conversation.chatbotStepId = null;
    if (conversation.state === "bot") {
      conversation.state = "closed";
      conversation.closedAt = this.host.clock.now();
      conversation.closedReason = "chatbot";
      this.conversations.closed(m, conversation);
    }
    await repo.save(conversation);
    await this.conversations.changed(m, conversation);
  }

  /** What a forward step asks for replaces what an earlier one asked for. */
  private async requestExpertise(m: EntityManager, conversation: Conversation, expertiseIds: number[]): Promise<void> {
    const links = m.getRepository(ConversationExpertise);
    await links.delete({ conversationId: conversation.id });
    if (expertiseIds.length) await links.insert(expertiseIds.map((expertiseId) => ({ conversationId: conversation.id, expertiseId })));
  }

  private say(m: EntityManager, conversation: Conversation, text: string): Promise<void> {
    return this.conversations.say(m, conversation, text);
  }
}
