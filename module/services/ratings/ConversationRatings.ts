import { isBlankText, lt, ConflictError, InvalidInputError, type HostContract } from "../../../host/contract";
import type { Conversation } from "../../models/Conversation";
import { ConversationRating, RATING_VALUES, type RatingValue } from "../../models/ConversationRating";
import type { ConversationNotifier } from "../conversations/ConversationNotifier";
import { isUniqueViolation } from "../uniqueViolation";

export const RATING_COMMENT_MAX = 1000;

/** What operators and reports see of a rating. */
export interface RatingDto {
  value: RatingValue;
  comment: string | null;
  createdAt: string;
}

/** Visitors rate their ended conversation once; nobody edits a rating afterwards. */
export class ConversationRatings {
  constructor(
    private readonly host: HostContract,
    private readonly notifier: ConversationNotifier,
  ) {}

  async rate(conversation: Conversation, value: unknown, comment: unknown): Promise<RatingDto> {
    if (conversation.state !== "closed") throw new ConflictError(lt("A conversation can be rated once it has ended."));
    if (conversation.operatorId === null) throw new ConflictError(lt("Only a conversation with an operator can be rated."));
    if (!RATING_VALUES.includes(value as RatingValue)) throw new InvalidInputError(lt("The rating is 5 (satisfied), 3 (okay) or 1 (dissatisfied)."));
    if (comment !== undefined && comment !== null && typeof comment !== "string") throw new InvalidInputError(lt("The comment must be text."));
    const text = typeof comment === "string" && !isBlankText(comment) ? comment.trim() : null;
    if (text !== null && text.length > RATING_COMMENT_MAX) throw new InvalidInputError(lt("The comment is at most {max} characters."), { max: RATING_COMMENT_MAX });
    const row: ConversationRating = { conversationId: conversation.id, value: value as RatingValue, comment: text, createdAt: this.host.clock.now() };
    const operatorId = conversation.operatorId;
    try {
      await this.host.db.transaction(async (m) => {
        await m.getRepository(ConversationRating).insert(row);
        // The operator's open window or Discuss shows it at once.
        await this.notifier.rated(m, operatorId, conversation.id, dto(row));
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(lt("This conversation has already been rated."));
      throw error;
    }
    return dto(row);
  }

  async of(conversationId: number): Promise<RatingDto | null> {
    const row = await this.host.db.getRepository(ConversationRating).findOneBy({ conversationId });
    return row ? dto(row) : null;
  }

}

function dto(row: ConversationRating): RatingDto {
  return { value: row.value, comment: row.comment, createdAt: new Date(row.createdAt).toISOString() };
}
