import type { DataSource } from "typeorm";
import { isBlankText, lt, ConflictError, ForbiddenError, InvalidInputError, NotFoundError, type HostContract, type HostUser } from "../../host/contract";
import { MANAGER_GROUP } from "../api";
import { CannedResponse } from "../models/CannedResponse";
import { CannedResponseChannel } from "../models/CannedResponseChannel";
import type { ChannelService } from "./ChannelService";
import { isUniqueViolation } from "./uniqueViolation";

export const SHORTCUT_MAX = 32;
export const CANNED_TEXT_MAX = 4000;
const SHORTCUT_PATTERN = /^[\p{L}\p{N}_-]+$/u;

export interface CannedResponseInput {
  shortcut: string;
  text: string;
  channelIds: number[];
}

export interface CannedResponseSummary {
  id: number;
  shortcut: string;
  text: string;
  channelIds: number[];
  createdBy: number;
  usageCount: number;
}

/** What a composer needs of a response: placeholders already filled in for the conversation. */
export interface CannedSuggestion {
  id: number;
  shortcut: string;
  text: string;
}

/** Who a placeholder names in one conversation. */
export interface PlaceholderValues {
  visitorName: string;
  operatorName: string;
}

/** Canned responses: operators keep their own, managers manage every one; everyone may use all that apply to a channel. */
export class CannedResponses {
  constructor(
    private readonly host: HostContract,
    private readonly channels: ChannelService,
  ) {}

  private get db(): DataSource {
    return this.host.db;
  }

  async list(): Promise<CannedResponseSummary[]> {
    const [rows, links] = await Promise.all([
      this.db.getRepository(CannedResponse).find({ order: { shortcut: "ASC" } }),
      this.db.getRepository(CannedResponseChannel).find(),
    ]);
    return rows.map((r) => summary(r, links));
  }

  async get(id: number): Promise<CannedResponseSummary> {
    const row = await this.db.getRepository(CannedResponse).findOneBy({ id });
    if (!row) throw notFound();
    return summary(row, await this.db.getRepository(CannedResponseChannel).findBy({ responseId: id }));
  }

  mayEdit(response: { createdBy: number }, user: HostUser): boolean {
    return response.createdBy === user.id || this.host.users.hasGroup(user, MANAGER_GROUP);
  }

  /** Creates (id null) or updates a response; only its author or a manager may change one. */
  async save(id: number | null, input: CannedResponseInput, user: HostUser): Promise<number> {
    const shortcut = input.shortcut.trim().replace(/^:/, "").toLocaleLowerCase("en");
    const text = input.text.trim();
    if (!shortcut) throw new InvalidInputError(lt("Shortcut is required."));
    if (!SHORTCUT_PATTERN.test(shortcut)) throw new InvalidInputError(lt("A shortcut is one word: letters, digits, - and _, without spaces."));
    if (shortcut.length > SHORTCUT_MAX) throw new InvalidInputError(lt("Shortcut is at most {max} characters."), { max: SHORTCUT_MAX });
    if (isBlankText(text)) throw new InvalidInputError(lt("Text is required."));
    if (text.length > CANNED_TEXT_MAX) throw new InvalidInputError(lt("Text is at most {max} characters."), { max: CANNED_TEXT_MAX });
    const channelIds = [...new Set(input.channelIds)];
    await this.checkChannels(channelIds);
    const taken = () => new InvalidInputError(lt('The shortcut "{shortcut}" is already used by another canned response.'), { shortcut });
    try {
      return await this.db.transaction(async (m) => {
        const repo = m.getRepository(CannedResponse);
        if (id !== null) {
          const existing = await repo.findOneBy({ id });
          if (!existing) throw notFound();
          if (!this.mayEdit(existing, user)) throw new ForbiddenError(lt("Only its author or a Live Chat administrator may change this canned response."));
        }
        const clash = await repo.findOneBy({ shortcut });
        if (clash && clash.id !== id) throw taken();
        let savedId: number;
        if (id === null) {
          const inserted = await repo.insert({ shortcut, text, createdBy: user.id, usageCount: 0, createdAt: this.host.clock.now() });
          savedId = Number(inserted.identifiers[0].id);
        } else {
          await repo.update({ id }, { shortcut, text });
          savedId = id;
        }
        await m.getRepository(CannedResponseChannel).delete({ responseId: savedId });
        if (channelIds.length) await m.getRepository(CannedResponseChannel).insert(channelIds.map((channelId) => ({ responseId: savedId, channelId })));
        return savedId;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Someone saved the same shortcut at the same moment: nothing of this save was kept.
      const clash = await this.db.getRepository(CannedResponse).findOneBy({ shortcut });
      if (clash && clash.id !== id) throw taken();
      throw new ConflictError(lt("This canned response was changed by someone else at the same time. Nothing was saved: try again."));
    }
  }

  async delete(id: number, user: HostUser): Promise<void> {
    await this.db.transaction(async (m) => {
      const existing = await m.getRepository(CannedResponse).findOneBy({ id });
      if (!existing) throw notFound();
      if (!this.mayEdit(existing, user)) throw new ForbiddenError(lt("Only its author or a Live Chat administrator may delete this canned response."));
      await m.getRepository(CannedResponseChannel).delete({ responseId: id });
      await m.getRepository(CannedResponse).delete({ id });
    });
  }

  /** The responses offered in a channel (its own and those for every channel), placeholders filled, most used first. */
  async suggestions(channelId: number, values: PlaceholderValues): Promise<CannedSuggestion[]> {
    const rows = await this.db
      .getRepository(CannedResponse)
      .createQueryBuilder("r")
      .where(
        "NOT EXISTS (SELECT 1 FROM livechat_canned_response_channel a WHERE a.response_id = r.id) OR EXISTS (SELECT 1 FROM livechat_canned_response_channel b WHERE b.response_id = r.id AND b.channel_id = :channelId)",
        { channelId },
      )
      .orderBy("r.usage_count", "DESC")
      .addOrderBy("r.shortcut", "ASC")
      .getMany();
    return rows.map((r) => ({ id: r.id, shortcut: r.shortcut, text: fillPlaceholders(r.text, values) }));
  }

  /** Counts one use; the count orders suggestions and shows on the list. */
  async recordUse(id: number): Promise<void> {
    const result = await this.db.getRepository(CannedResponse).increment({ id }, "usageCount", 1);
    if (!result.affected) throw notFound();
  }

  async channelChoices(): Promise<{ id: number; name: string }[]> {
    const rows = await this.channels.records();
    return rows.map((c) => ({ id: c.id, name: c.name })).sort((a, b) => a.name.localeCompare(b.name));
  }

  private async checkChannels(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const found = new Set((await this.channels.channelsByIds(ids)).map((c) => c.id));
    const wrong = ids.filter((id) => !found.has(id));
    if (wrong.length) throw new InvalidInputError(lt("Channels: channel {ids} does not exist."), { ids: wrong.join(", ") });
  }
}

/** `{visitor_name}` and `{operator_name}` replaced; any other brace text is left as written. */
export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(/\{(visitor_name|operator_name)\}/g, (_all, name: string) => (name === "visitor_name" ? values.visitorName : values.operatorName));
}

function summary(row: CannedResponse, links: CannedResponseChannel[]): CannedResponseSummary {
  return {
    id: row.id,
    shortcut: row.shortcut,
    text: row.text,
    channelIds: links.filter((l) => l.responseId === row.id).map((l) => l.channelId),
    createdBy: row.createdBy,
    usageCount: row.usageCount,
  };
}

function notFound(): NotFoundError {
  return new NotFoundError(lt("This canned response does not exist (it may have been deleted)."));
}
