import fs from "node:fs";
import path from "node:path";
import i18next, { type i18n as I18nextInstance } from "i18next";
import type { Request } from "express";
import type { DateStyle, I18n, Languages, Translate, TranslationVars } from "../contract";

/** The namespace of the host's own words; each module's words live under the module's name. */
export const HOST_NAMESPACE = "host";
/** Used when a request carries no user and no `Accept-Language` matches an enabled language. */
export const DEFAULT_LANG = "en_US";

/** Catalog files are `<iso code>.json` (fr.json, es.json): one flat object, English text → translation. */
const CATALOG_FILE = /^([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\.json$/;

/** `fr_FR` → `fr-FR`, the BCP 47 tag that Intl and i18next expect. */
export function languageTag(code: string): string {
  return code.replace(/_/g, "-");
}

/**
 * One translation function for the host and its modules, backed by i18next. Keys are the English text
 * itself (as with gettext), so English needs no catalog and a missing translation shows English;
 * `{name}` placeholders are filled from the variables, and `count` picks the plural form.
 */
export class HostI18n {
  private readonly engine: I18nextInstance;
  private readonly requestLangs = new WeakMap<Request, Promise<string>>();

  constructor(private readonly langs: Languages) {
    this.engine = i18next.createInstance();
    void this.engine.init({
      initAsync: false,
      lng: "en",
      fallbackLng: "en",
      ns: [HOST_NAMESPACE],
      defaultNS: HOST_NAMESPACE,
      fallbackNS: false,
      keySeparator: false,
      nsSeparator: false,
      returnEmptyString: false,
      returnNull: false,
      // Handlebars and the browser escape the result: escaping here would escape twice.
      interpolation: { prefix: "{", suffix: "}", escapeValue: false },
      resources: {},
    });
  }

  /** Loads every `<lang>.json` of `dir` into `namespace` (a module's manifest names the folder). */
  addCatalogs(namespace: string, dir: string): void {
    if (!fs.existsSync(dir)) throw new Error(`No translation folder ${dir}`);
    for (const file of fs.readdirSync(dir)) {
      const match = CATALOG_FILE.exec(file);
      if (!match) continue;
      const entries = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Record<string, string>;
      this.engine.addResourceBundle(match[1], namespace, entries, true, true);
    }
  }

  /** `key` (English) in `lang` (a locale code such as `fr_FR`), looked up in `namespace`. */
  t(namespace: string, lang: string, key: string, vars: TranslationVars = {}): string {
    return this.engine.t(key, { ...vars, lng: languageTag(lang), ns: namespace });
  }

  /** Text whose namespace is unknown (an error raised anywhere): the host's words, then every module's. */
  translateAny(lang: string, key: string, vars: TranslationVars = {}): string {
    const namespaces = [HOST_NAMESPACE, ...this.namespaces().filter((n) => n !== HOST_NAMESPACE)];
    for (const ns of namespaces) {
      if (this.engine.exists(key, { lng: languageTag(lang), ns })) return this.t(ns, lang, key, vars);
    }
    return this.t(HOST_NAMESPACE, lang, key, vars);
  }

  /**
   * The request's language: the user's main language; for anonymous requests the best enabled match of
   * `Accept-Language`, else English. Looked up once per request.
   */
  requestLang(req: Request): Promise<string> {
    if (req.user) return Promise.resolve(req.user.langCode);
    let lang = this.requestLangs.get(req);
    if (!lang) {
      lang = this.langs.bestMatch(req.get("accept-language")).then((l) => l?.code ?? DEFAULT_LANG);
      this.requestLangs.set(req, lang);
    }
    return lang;
  }

  formatDate(lang: string, date: Date, style: DateStyle = "datetime"): string {
    const options: Intl.DateTimeFormatOptions =
      style === "date" ? { dateStyle: "medium" } : style === "time" ? { timeStyle: "short" } : { dateStyle: "medium", timeStyle: "short" };
    return new Intl.DateTimeFormat(languageTag(lang), options).format(date);
  }

  /**
   * What browser code needs to translate on its own: every key of `namespace` that has a translation in
   * `lang` (regional entries over the language's), plus the plural rules' key suffixes come with them.
   */
  catalog(namespace: string, lang: string): Record<string, string> {
    const tag = languageTag(lang);
    const primary = tag.split("-")[0];
    const base = (this.engine.getResourceBundle(primary, namespace) ?? {}) as Record<string, string>;
    const regional = tag === primary ? {} : ((this.engine.getResourceBundle(tag, namespace) ?? {}) as Record<string, string>);
    return { ...base, ...regional };
  }

  /** The contract's `i18n` for one module: its own namespace, the request's language. */
  forNamespace(namespace: string): I18n {
    return {
      t: (lang, key, vars) => this.t(namespace, lang, key, vars),
      requestLang: (req) => this.requestLang(req),
      forRequest: async (req): Promise<Translate> => {
        const lang = await this.requestLang(req);
        return (key, vars) => this.t(namespace, lang, key, vars);
      },
      formatDate: (lang, date, style) => this.formatDate(lang, date, style),
      catalogUrl: (lang) => `/web/i18n/${namespace}/${languageTag(lang)}.json`,
    };
  }

  private namespaces(): string[] {
    const store = this.engine.store.data;
    return [...new Set(Object.values(store).flatMap((bundle) => Object.keys(bundle)))];
  }
}
