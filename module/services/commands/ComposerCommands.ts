import { lt, InvalidInputError, type HostContract, type HostUser } from "../../../host/contract";
import { composerCommands, type ComposerCommand } from "../../api";
import type { Conversation } from "../../models/Conversation";
import type { ConversationLifecycle } from "../conversations/ConversationLifecycle";
import type { OperatorInbox } from "../conversations/OperatorInbox";

const COMMAND = /^\/([a-z0-9_-]+)(?:\s+([\s\S]*))?$/;

/** `/help`, `/end`, and those other modules add through `composerCommands`. */
export class ComposerCommands {
  constructor(
    private readonly host: HostContract,
    private readonly inbox: OperatorInbox,
    private readonly lifecycle: ConversationLifecycle,
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
    ];
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
    const match = COMMAND.exec(text.trim());
    if (!match) throw new InvalidInputError(lt("A command starts with / and its name, such as /help."));
    const command = (await this.available(user, conversation)).find((c) => c.name === match[1]);
    if (!command) throw new InvalidInputError(lt("There is no command /{name}. Type /help for the list."), { name: match[1] });
    return command.run({ conversationId: conversation.id, user, args: (match[2] ?? "").trim(), lang: user.langCode });
  }
}
