import { lt, InvalidInputError, PRESENCE_SETTINGS, type HostContract } from "../../../host/contract";
import { RETENTION_DEFAULT_DAYS, RETENTION_SETTING } from "../conversations/ConversationRetention";

/** One setting of Live Chat → Configuration → Settings: a whole number within a range. */
export interface SettingDefinition {
  key: string;
  label: string;
  unit: string;
  help: string;
  defaultValue: number;
  min: number;
  max: number;
}

/**
 * The settings managers change on the Settings page. Services read them through `host.settings` at
 * the moment they need them, so a change applies without a restart, on every instance.
 */
export const LIVECHAT_SETTINGS: SettingDefinition[] = [
  {
    key: "livechat.inactivity_minutes",
    label: lt("Inactivity before removal from channels"),
    unit: lt("minutes"),
    help: lt("An operator without activity for longer leaves the channels he joined."),
    defaultValue: 30,
    min: 1,
    max: 1440,
  },
  {
    key: "livechat.visitor_timeout_minutes",
    label: lt("Visitor timeout"),
    unit: lt("minutes"),
    help: lt("A conversation whose visitor has not been seen for longer is closed."),
    defaultValue: 15,
    min: 1,
    max: 1440,
  },
  {
    key: PRESENCE_SETTINGS.awayMinutes.key,
    label: lt("Away after"),
    unit: lt("minutes"),
    help: lt("Without real activity (input, a page opened) for longer, a user shows as away and gets no new visitors."),
    defaultValue: PRESENCE_SETTINGS.awayMinutes.defaultValue,
    min: 1,
    max: 1440,
  },
  {
    key: PRESENCE_SETTINGS.offlineMinutes.key,
    label: lt("Offline after"),
    unit: lt("minutes"),
    help: lt("Without any sign of an open tab for longer, a user shows as offline."),
    defaultValue: PRESENCE_SETTINGS.offlineMinutes.defaultValue,
    min: 1,
    max: 1440,
  },
  {
    key: PRESENCE_SETTINGS.reloadGraceSeconds.key,
    label: lt("Reload grace"),
    unit: lt("seconds"),
    help: lt("After a user's last tab closed, how long a reload may take before they show as offline and get no new visitors."),
    defaultValue: PRESENCE_SETTINGS.reloadGraceSeconds.defaultValue,
    min: 5,
    max: 120,
  },
  {
    key: "livechat.visitor_reads_per_minute",
    label: lt("Visitor reads"),
    unit: lt("requests per minute"),
    help: lt("Per client address; past it, visitors' requests are refused until the minute is over."),
    defaultValue: 600,
    min: 10,
    max: 100000,
  },
  {
    key: "livechat.visitor_writes_per_minute",
    label: lt("Visitor writes"),
    unit: lt("requests per minute"),
    help: lt("Per client address: starting conversations, sending messages, ending."),
    defaultValue: 300,
    min: 10,
    max: 100000,
  },
  {
    key: RETENTION_SETTING,
    label: lt("Keep ended conversations"),
    unit: lt("days"),
    help: lt("Conversations that ended longer ago are deleted with their messages and chatbot answers. At least 7 days, the time notifications are kept."),
    defaultValue: RETENTION_DEFAULT_DAYS,
    min: 7,
    max: 3650,
  },
];

export interface SettingValue extends SettingDefinition {
  value: number;
}

/**
 * The language of visitors whose browser asks for none of the enabled languages: their widget, their
 * conversation and its system lines speak it. A language code such as `en_US`; English by default.
 */
export const DEFAULT_LANGUAGE_SETTING = "livechat.default_lang";
export const DEFAULT_LANGUAGE = "en_US";

/** The default language as it can be chosen: among the enabled languages. */
export interface LanguageSetting {
  key: string;
  value: string;
  choices: { code: string; name: string }[];
}

/** Reads and saves the Live Chat settings; a form with one bad value saves none of them. */
export class LivechatSettings {
  constructor(private readonly host: HostContract) {}

  async values(): Promise<SettingValue[]> {
    return Promise.all(LIVECHAT_SETTINGS.map(async (d) => ({ ...d, value: await this.host.settings.getNumber(d.key, d.defaultValue) })));
  }

  /** The visitors' default language: the setting while that language is enabled, else the first enabled one, else English. */
  async defaultLanguage(): Promise<LanguageSetting> {
    const enabled = await this.host.langs.list({ enabledOnly: true });
    const stored = await this.host.settings.get(DEFAULT_LANGUAGE_SETTING, DEFAULT_LANGUAGE);
    const value = enabled.find((l) => l.code === stored)?.code ?? enabled.find((l) => l.code === DEFAULT_LANGUAGE)?.code ?? enabled[0]?.code ?? DEFAULT_LANGUAGE;
    return { key: DEFAULT_LANGUAGE_SETTING, value, choices: enabled.map((l) => ({ code: l.code, name: l.name })) };
  }

  /** Every value is checked before the first one is written; a form without the default language keeps it. */
  async save(posted: Record<string, unknown>): Promise<void> {
    const parsed = LIVECHAT_SETTINGS.map((d) => ({ definition: d, value: parseWhole(posted[d.key]) }));
    for (const { definition: d, value } of parsed) {
      if (value === null || value < d.min || value > d.max) {
        throw new InvalidInputError(lt("{label}: a whole number from {min} to {max}."), { label: d.label, min: d.min, max: d.max }, { field: d.key });
      }
    }
    const lang = posted[DEFAULT_LANGUAGE_SETTING];
    if (lang !== undefined && !(await this.defaultLanguage()).choices.some((c) => c.code === lang)) {
      throw new InvalidInputError(lt("Default language: choose one of the enabled languages."), {}, { field: DEFAULT_LANGUAGE_SETTING });
    }
    for (const { definition, value } of parsed) await this.host.settings.set(definition.key, String(value));
    if (typeof lang === "string") await this.host.settings.set(DEFAULT_LANGUAGE_SETTING, lang);
  }
}

function parseWhole(raw: unknown): number | null {
  if (typeof raw !== "string" || !/^\s*\d{1,9}\s*$/.test(raw)) return null;
  return Number(raw.trim());
}
