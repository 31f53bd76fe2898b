import { locale } from "../shared/i18n";

const DAY_MS = 86_400_000;

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** "14:05" today, "Mon 14:05" this week, a date otherwise; in the page's language. */
export function shortTime(iso: string, now = new Date(), lang = locale()): string {
  const d = new Date(iso);
  const hm = d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  if (sameDay(d, now)) return hm;
  if (now.getTime() - d.getTime() < 6 * DAY_MS) return `${d.toLocaleDateString(lang, { weekday: "short" })} ${hm}`;
  return d.toLocaleDateString(lang, { day: "numeric", month: "short" });
}
