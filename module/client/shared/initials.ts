/** "Visitor #12" → "V1", "Mitchell Admin" → "MA": the first letter or digit of the first two words. */
export function initials(name: string | null | undefined): string {
  const words = String(name ?? "")
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}\p{N}]/gu, ""))
    .filter(Boolean);
  return (
    words
      .slice(0, 2)
      .map((w) => w[0].toUpperCase())
      .join("") || "?"
  );
}
