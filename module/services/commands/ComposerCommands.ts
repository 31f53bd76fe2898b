import { lt, InvalidInputError, type HostContract, type HostUser } from "../../../host/contract";
import { composerCommands, type ComposerCommand } from "../../api";
import type { Conversation } from "../../models/Conversation";
import type { ConversationLifecycle } from "../conversations/ConversationLifecycle";
import type { OperatorInbox } from "../conversations/OperatorInbox";
import { parseCommand } from "./commandText";
import type { TransferService } from "../transfer/TransferService";

/** `/help`, `/end`, `/transfer`, and those other modules add through `composerCommands`. */
export class ComposerCommands {
  constructor(
    private readonly host: HostContract,
    private readonly inbox: OperatorInbox,
    private readonly lifecycle: ConversationLifecycle,
    private readonly transfers: TransferService,
  ) {}

  private builtIn(conversation: Conversation | null): ComposerCommand[] {
    const t = (lang: string, key: string) => this.host.i18n.t(lang, key);
    return [
      {
        name: "help",
        describe: (lang) => t(lang, lt("Lists the commands.")),
        run: async ({ user, lang }) => (await this.available(user)).map((c) => `/${c.name} — ${c.describe(lang)}`).join("\n"),
      },
      {
        name: "end",
        describe: (lang) => t(lang, lt("Ends the conversation.")),
        run: async ({ user, lang }) => {
          if (!conversation) return "";
          this.inbox.requireOwner(conversation, user, lt("Only the operator of this conversation can end it."));
          await this.lifecycle.end(conversation, "operator", user);
          return t(lang, lt("The conversation has ended."));
        },
      },
      {
        name: "transfer",
        describe: (lang) => t(lang, lt("Transfers the conversation to an operator or a channel: /transfer followed by a name.")),
        run: async ({ user, lang, args }) => {
          if (!conversation) return "";
          this.inbox.requireOwner(conversation, user, lt("Only the operator of this conversation can transfer it."));
          return args ? this.transfer(conversation, user, args, lang) : this.transferChoices(conversation, lang);
        },
      },
    ];
  }

  private async transfer(conversation: Conversation, user: HostUser, name: string, lang: string): Promise<string> {
    const done = await this.transfers.transfer(conversation.id, user, await this.transfers.targetNamed(conversation, name));
    const vars = { name: done.operator?.name ?? "", channel: done.channel.name };
    if (done.channel.id === conversation.channelId) return this.host.i18n.t(lang, lt("Transferred to {name}."), vars);
    if (done.operator) return this.host.i18n.t(lang, lt("Transferred to the channel {channel}: {name} has it now."), vars);
    return this.host.i18n.t(lang, lt("Transferred to the channel {channel}: nobody is available there, the visitor waits in its queue."), vars);
  }

  /** What `/transfer` alone answers: the operators and channels to choose from, and how. */
  private async transferChoices(conversation: Conversation, lang: string): Promise<string> {
    const t = (text: string, vars?: Record<string, string>) => this.host.i18n.t(lang, text, vars);
    const { operators, channels } = await this.transfers.choices(conversation);
    return [
      operators.length
        ? t(lt("Available operators: {names}."), { names: operators.map((o) => o.name).join(", ") })
        : t(lt("No other operator of this channel is available now.")),
      channels.length ? t(lt("Channels: {names}."), { names: channels.map((c) => c.name).join(", ") }) : "",
      t(lt("Type /transfer followed by one of these names.")),
    ]
      .filter(Boolean)
      .join("\n");
  }

  /** Every command this user may type, built-in first, by name within each part. */
  async available(user: HostUser, conversation: Conversation | null = null): Promise<ComposerCommand[]> {
    const added = await composerCommands.apply(this.host.hooks, [], { user });
    const valid = added.filter((c) => /^[a-z0-9_-]+$/.test(c.name));
    const builtIn = this.builtIn(conversation);
    const taken = new Set(builtIn.map((c) => c.name));
    return [...builtIn, ...valid.filter((c) => !taken.has(c.name)).sort((a, b) => a.name.localeCompare(b.name))];
  }

  /** Runs `/name args` typed in `conversation`; the answer is a notice for the operator. */
  async run(conversation: Conversation, user: HostUser, text: string): Promise<string> {
    const called = parseCommand(text);
    if (!called) throw new InvalidInputError(lt("A command starts with / and its name, such as /help."));
    const command = (await this.available(user, conversation)).find((c) => c.name === called.name);
    if (!command) throw new InvalidInputError(lt("There is no command /{name}. Type /help for the list."), { name: called.name });
    return command.run({ conversationId: conversation.id, user, args: called.args, lang: user.langCode });
  }
}
