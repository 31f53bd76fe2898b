// The browser's translation function. It reads the catalogs the host serves for the module
// (GET /web/i18n/livechat/<language>.json, the same files the server translates with): keys are the
// English text, plural texts are `key_one`, `key_other`, … chosen with Intl.PluralRules, and
// `{name}` placeholders are filled from the variables. A text missing from the catalog shows in
// English. It does what i18next does with these catalogs in a few lines, so the widget stays small on
// the websites that embed it.
import english from "../../../i18n/en.json";

export type TranslationVars = Record<string, string | number>;

/** The catalog in use: the page's language and its translations. */
interface Catalog {
  tag: string;
  entries: Record<string, string>;
  plurals: Intl.PluralRules;
}

/** English needs only its plural forms: the bundle carries them, so English is right even offline. */
const ENGLISH: Record<string, string> = english;

let current: Catalog = { tag: "en", entries: ENGLISH, plurals: new Intl.PluralRules("en") };

/** `fr_FR` or `fr-FR` → `fr-FR`; anything that is not a language tag → `en`. */
export function languageTag(lang: string | null | undefined): string {
  const tag = String(lang ?? "").replace(/_/g, "-");
  return /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(tag) ? tag : "en";
}

/** Makes `entries` (a served catalog) the translations for `lang`. */
export function useCatalog(lang: string, entries: Record<string, string>): void {
  const tag = languageTag(lang);
  let plurals: Intl.PluralRules;
  try {
    plurals = new Intl.PluralRules(tag);
  } catch {
    plurals = new Intl.PluralRules("en");
  }
  current = { tag, entries: { ...ENGLISH, ...entries }, plurals };
}

/** The language texts, dates and times are shown in (a BCP 47 tag, for Intl). */
export function locale(): string {
  return current.tag;
}

/** `key` (the English text) in the page's language, with its placeholders filled. */
export function t(key: string, vars: TranslationVars = {}): string {
  const { entries, plurals } = current;
  let text: string | undefined;
  if (typeof vars.count === "number") text = entries[`${key}_${plurals.select(vars.count)}`] || entries[`${key}_other`];
  text ||= entries[key] || key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

function isCatalog(data: unknown): data is Record<string, string> {
  return typeof data === "object" && data !== null && Object.values(data).every((v) => typeof v === "string");
}

const loading = new Map<string, Promise<void>>();

/**
 * Fetches the module's catalog for `lang` from `origin` (empty: this page's) and uses it. Every part of
 * a page shares one request. Without an answer the page shows English.
 */
export function loadCatalog(lang: string, origin = ""): Promise<void> {
  const tag = languageTag(lang);
  const url = `${origin}/web/i18n/livechat/${tag}.json`;
  let pending = loading.get(url);
  if (!pending) {
    pending = fetch(url, { credentials: "omit", headers: { Accept: "application/json" } })
      .then((res) => (res.ok ? res.json() : {}))
      .then(
        (data: unknown) => useCatalog(tag, isCatalog(data) ? data : {}),
        () => useCatalog(tag, {}),
      );
    loading.set(url, pending);
  }
  return pending;
}

/** The language of a page of the helpdesk: its `lang` attribute, which follows the user's language. */
export function pageLanguage(): string {
  return languageTag(document.documentElement.lang || "en");
}

/** Runs `start` once the page's catalog is loaded (or failed to load: then in English). */
export function whenTranslated(start: () => void): void {
  void loadCatalog(pageLanguage()).then(start);
}
