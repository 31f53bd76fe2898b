import { In, type DataSource } from "typeorm";
import type { HostLanguage, Languages } from "../contract";
import { Language } from "../models/Language";
import { parseAcceptLanguage } from "./acceptLanguage";
import { LANGUAGE_CATALOG } from "./catalog";

const CATALOG_ORDER = new Map(LANGUAGE_CATALOG.map((l, i) => [l.code, i]));

/** How long the enabled languages are read from memory: every visitor's start and assignment asks for them. */
const ENABLED_CACHE_MS = 5_000;

export class HostLanguages implements Languages {
  private enabled: { languages: HostLanguage[]; at: number } | null = null;

  constructor(private readonly db: DataSource) {}

  async list(options: { enabledOnly?: boolean } = {}): Promise<HostLanguage[]> {
    if (options.enabledOnly && this.enabled && Date.now() - this.enabled.at < ENABLED_CACHE_MS) return this.enabled.languages.map((l) => ({ ...l }));
    const at = Date.now();
    const languages = await this.db.getRepository(Language).find({
      where: options.enabledOnly ? { enabled: true } : {},
      order: { name: "ASC" },
    });
    if (options.enabledOnly) this.enabled = { languages: languages.map((l) => ({ ...l })), at };
    return languages;
  }

  async getByCodes(codes: string[]): Promise<HostLanguage[]> {
    if (codes.length === 0) return [];
    return this.db.getRepository(Language).findBy({ code: In(codes) });
  }

  /**
   * Exact locale first (`fr-ca` → fr_CA), then the same language (`fr-ca` → fr_FR), walking the
   * header's ranges from the most to the least preferred.
   */
  async bestMatch(acceptLanguage: string | undefined): Promise<HostLanguage | null> {
    const enabled = await this.list({ enabledOnly: true });
    for (const range of parseAcceptLanguage(acceptLanguage)) {
      if (range.tag === "*") return enabled[0] ?? null;
      const [primary] = range.tag.split("-");
      const exact = enabled.find((l) => l.code.toLowerCase().replace("_", "-") === range.tag);
      if (exact) return exact;
      const sameLanguage = enabled.filter((l) => l.isoCode === primary);
      // The catalog lists each language's main locale first (en_US before en_GB, fr_FR before fr_CA).
      const rank = (l: HostLanguage) => CATALOG_ORDER.get(l.code) ?? CATALOG_ORDER.size;
      if (sameLanguage.length) return sameLanguage.sort((a, b) => rank(a) - rank(b))[0];
    }
    return null;
  }

  async setEnabled(code: string, enabled: boolean): Promise<void> {
    this.enabled = null;
    await this.db.getRepository(Language).update({ code }, { enabled });
    this.enabled = null;
  }

  /** Adds catalog languages missing from the table; never changes existing rows. */
  async seed(enabledCodes: string[]): Promise<void> {
    const repo = this.db.getRepository(Language);
    const existing = new Set((await repo.find()).map((l) => l.code));
    const missing = LANGUAGE_CATALOG.filter((l) => !existing.has(l.code));
    if (missing.length) await repo.save(missing.map((l) => ({ ...l, enabled: enabledCodes.includes(l.code) })));
    this.enabled = null;
  }
}
