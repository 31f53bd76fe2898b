import type { Languages } from "../contract";

/** How long a match is trusted: a language enabled or disabled shows within this long. */
const KEEP_MS = 10_000;
/** Distinct headers kept at most (browsers send few distinct ones). */
const MAX_KEPT = 500;

/**
 * The best enabled language for an `Accept-Language` header, kept a few seconds per header, so that a
 * server refusing thousands of requests a second (503) answers each in its reader's language without
 * a database read.
 */
export class RecentLanguageMatches {
  private readonly matches = new Map<string, { code: string; at: number }>();

  constructor(
    private readonly langs: Languages,
    private readonly fallback: string,
  ) {}

  /** The code of the best match, or the fallback when none matches. */
  async codeFor(header: string | undefined): Promise<string> {
    const key = header ?? "";
    const now = Date.now();
    const known = this.matches.get(key);
    if (known && now - known.at < KEEP_MS && now >= known.at) return known.code;
    const code = (await this.langs.bestMatch(header))?.code ?? this.fallback;
    this.matches.delete(key);
    this.matches.set(key, { code, at: now });
    if (this.matches.size > MAX_KEPT) this.matches.delete(this.matches.keys().next().value as string);
    return code;
  }
}
