import type { Languages } from "../contract";

/** How long a match is trusted: a language enabled or disabled shows within this long (and one request). */
const KEEP_MS = 10_000;
/** Distinct headers kept at most (browsers send few distinct ones). */
const MAX_KEPT = 500;

/**
 * The best enabled language for an `Accept-Language` header, kept a few seconds per header, so that a
 * server refusing thousands of requests a second (503) answers each in its reader's language without
 * a database read. A match past its time is still answered at once while one read refreshes it: an
 * overloaded server's database queue is long, and a refusal must not wait in it, nor every refusal of
 * that moment read the same match again.
 */
export class RecentLanguageMatches {
  private readonly matches = new Map<string, { code: string; at: number }>();
  /** The read under way per header, shared by everyone who asks meanwhile. */
  private readonly reading = new Map<string, Promise<string>>();

  constructor(
    private readonly langs: Languages,
    private readonly fallback: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The code of the best match, or the fallback when none matches. */
  async codeFor(header: string | undefined): Promise<string> {
    const key = header ?? "";
    const known = this.matches.get(key);
    if (!known) return this.read(key, header);
    const age = this.now() - known.at;
    // A failed refresh keeps the last match; the next request past its time tries again.
    if (age >= KEEP_MS || age < 0) this.read(key, header).catch(() => undefined);
    return known.code;
  }

  private read(key: string, header: string | undefined): Promise<string> {
    const under = this.reading.get(key);
    if (under) return under;
    const read = this.langs
      .bestMatch(header)
      .then((match) => {
        const code = match?.code ?? this.fallback;
        this.matches.delete(key);
        this.matches.set(key, { code, at: this.now() });
        if (this.matches.size > MAX_KEPT) this.matches.delete(this.matches.keys().next().value as string);
        return code;
      })
      .finally(() => this.reading.delete(key));
    this.reading.set(key, read);
    return read;
  }
}
