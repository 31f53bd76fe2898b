// Texts a manager writes (a channel's welcome message and button, a chatbot script's messages,
// questions and answers) may be given per language. The main columns hold the default text; a
// record's `translations` column holds the others as JSON, by language code (`{"fr_FR": "Bonjour"}`,
// or for a channel `{"fr_FR": {"welcomeMessage": "…", "buttonText": "…"}}`). A reader whose language
// has none reads the default.

/** Text by language code. */
export type Translations = Record<string, string>;

/** Reads a `translations` column: text by language code; anything else is ignored. */
export function parseTranslations(json: string | null | undefined): Translations {
  try {
    const parsed: unknown = JSON.parse(json ?? "{}");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string" && e[1].trim() !== ""));
  } catch {
    return {};
  }
}

/** Reads a channel's `translations` column: for each field, text by language code. */
export function parseFieldTranslations(json: string | null | undefined): Record<string, Translations> {
  try {
    const parsed: unknown = JSON.parse(json ?? "{}");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    const fields: Record<string, Translations> = {};
    for (const [lang, values] of Object.entries(parsed)) {
      if (typeof values !== "object" || values === null) continue;
      for (const [field, text] of Object.entries(values)) {
        if (typeof text === "string" && text.trim() !== "") fields[field] = { ...fields[field], [lang]: text };
      }
    }
    return fields;
  } catch {
    return {};
  }
}

/** Writes translations back, without empty ones; null when none is left. */
export function serializeTranslations(translations: Translations): string | null {
  const kept = Object.entries(translations).filter(([, text]) => text.trim() !== "");
  return kept.length ? JSON.stringify(Object.fromEntries(kept)) : null;
}

/** The text for `lang` (a code such as `fr_CA`): its own, else its language's (`fr_FR`), else the default. */
export function translated(defaultText: string, translations: Translations, lang: string | null | undefined): string {
  if (!lang) return defaultText;
  if (translations[lang]) return translations[lang];
  const primary = lang.split(/[_-]/)[0];
  const sameLanguage = Object.keys(translations)
    .sort()
    .find((code) => code.split(/[_-]/)[0] === primary);
  return sameLanguage ? translations[sameLanguage] : defaultText;
}
