/** One entry of an `Accept-Language` header. */
export interface LanguageRange {
  tag: string;
  q: number;
}

/** Parses `fr-CA,fr;q=0.9,en;q=0.5` into ranges, best first; malformed entries are ignored. */
export function parseAcceptLanguage(header: string | undefined): LanguageRange[] {
  if (!header) return [];
  const ranges: LanguageRange[] = [];
  for (const part of header.split(",").slice(0, 32)) {
    const [rawTag, ...params] = part.trim().split(";");
    const tag = rawTag.trim().toLowerCase();
    if (!/^([a-z]{1,8}(-[a-z0-9]{1,8})*|\*)$/.test(tag)) continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](\.\d{0,3})?)\s*$/.exec(p);
      if (m) q = Number(m[1]);
    }
    if (q > 0) ranges.push({ tag, q });
  }
  // Stable sort keeps the header's order among equal weights.
  return ranges.sort((a, b) => b.q - a.q);
}
