import { In, type DataSource, type EntityManager } from "typeorm";
import { EventHook, type HostContract } from "../../host/contract";
import { ExpertiseOperator } from "../models/ExpertiseOperator";
import { OperatorLanguage } from "../models/OperatorLanguage";
import { OperatorProfile } from "../models/OperatorProfile";
import { operatorDisplayName } from "./displayName";

/** An operator's live chat settings: Online Chat Name, Online Chat Languages, Live Chat Expertise. */
export interface OperatorSettings {
  chatName: string;
  /** Language codes as stored, enabled or not (callers filter: see `spokenLanguages`). */
  langCodes: string[];
  expertiseIds: number[];
}

export const CHAT_NAME_MAX = 64;

/** An operator's live chat settings were saved (languages and expertise guide assignment). */
export const operatorSettingsSaved = new EventHook<{ userId: number }>("livechat.operator_settings_saved");

/** How long a display name is reused: a rename this instance does not hear of (another instance's) shows within it. */
const NAME_CACHE_MS = 10_000;

export class OperatorProfiles {
  /** Display names by user id, when `cacheNames` (the module's own instance: names are read on every start and message). */
  private readonly names: Map<number, { name: string; at: number }> | null;

  constructor(
    private readonly host: HostContract,
    options: { cacheNames?: boolean } = {},
  ) {
    this.names = options.cacheNames ? new Map() : null;
    if (this.names) {
      const forget = (userId: number): void => {
        this.names?.delete(userId);
      };
      operatorSettingsSaved.on(host.hooks, ({ userId }) => forget(userId));
      host.users.onChange(forget);
    }
  }

  private get db(): DataSource {
    return this.host.db;
  }

  async get(userId: number): Promise<OperatorSettings> {
    const [settings] = (await this.getMany([userId])).values();
    return settings;
  }

  async getMany(userIds: number[]): Promise<Map<number, OperatorSettings>> {
    const result = new Map<number, OperatorSettings>(userIds.map((id) => [id, { chatName: "", langCodes: [], expertiseIds: [] }]));
    if (userIds.length === 0) return result;
    const [profiles, langs, expertise] = await Promise.all([
      this.db.getRepository(OperatorProfile).findBy({ userId: In(userIds) }),
      this.db.getRepository(OperatorLanguage).find({ where: { userId: In(userIds) }, order: { langCode: "ASC" } }),
      this.db.getRepository(ExpertiseOperator).find({ where: { userId: In(userIds) }, order: { expertiseId: "ASC" } }),
    ]);
    for (const p of profiles) (result.get(p.userId) as OperatorSettings).chatName = p.chatName;
    for (const l of langs) result.get(l.userId)?.langCodes.push(l.langCode);
    for (const e of expertise) result.get(e.userId)?.expertiseIds.push(e.expertiseId);
    return result;
  }

  /** Replaces the operator's settings, inside the caller's transaction when given one. */
  async save(userId: number, settings: OperatorSettings, manager?: EntityManager): Promise<void> {
    if (!manager) return this.host.db.transaction((m) => this.save(userId, settings, m));
    await manager.getRepository(OperatorProfile).save({ userId, chatName: settings.chatName });
    await manager.getRepository(OperatorLanguage).delete({ userId });
    if (settings.langCodes.length) {
      await manager.getRepository(OperatorLanguage).insert(settings.langCodes.map((langCode) => ({ userId, langCode })));
    }
    await manager.getRepository(ExpertiseOperator).delete({ userId });
    if (settings.expertiseIds.length) {
      await manager.getRepository(ExpertiseOperator).insert(settings.expertiseIds.map((expertiseId) => ({ expertiseId, userId })));
    }
    await operatorSettingsSaved.emit(this.host.hooks, { userId });
  }

  /**
   * The languages each operator speaks, for assignment: their main language and their Online Chat
   * Languages, keeping only languages enabled on the host now.
   */
  async spokenLanguages(userIds: number[]): Promise<Map<number, string[]>> {
    const [users, settings, enabled] = await Promise.all([
      this.host.users.getMany(userIds),
      this.getMany(userIds),
      this.host.langs.list({ enabledOnly: true }),
    ]);
    const enabledCodes = new Set(enabled.map((l) => l.code));
    const result = new Map<number, string[]>();
    for (const user of users) {
      const codes = [user.langCode, ...(settings.get(user.id)?.langCodes ?? [])];
      result.set(user.id, [...new Set(codes)].filter((c) => enabledCodes.has(c)));
    }
    return result;
  }

  /** The names visitors see, for several operators at once. */
  async displayNames(userIds: number[]): Promise<Map<number, string>> {
    const result = new Map<number, string>();
    const now = Date.now();
    const missing: number[] = [];
    for (const id of userIds) {
      const known = this.names?.get(id);
      if (known && now - known.at < NAME_CACHE_MS) result.set(id, known.name);
      else missing.push(id);
    }
    if (missing.length === 0) return result;
    const [users, settings] = await Promise.all([this.host.users.getMany(missing), this.getMany(missing)]);
    for (const u of users) {
      const name = operatorDisplayName(u.name, settings.get(u.id)?.chatName);
      result.set(u.id, name);
      if (this.names && this.names.size < 100_000) this.names.set(u.id, { name, at: now });
    }
    return result;
  }
}
