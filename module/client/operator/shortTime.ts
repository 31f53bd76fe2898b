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

/** "now", "5 min. ago", "2 hr. ago" within a day (Intl, in the page's language); `shortTime` beyond. */
export function relativeTime(iso: string, now = new Date(), lang = locale()): string {
  const seconds = Math.round((now.getTime() - new Date(iso).getTime()) / 1000);
  if (seconds >= DAY_MS / 1000 || seconds < -60) return shortTime(iso, now, lang);
  const format = new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "short" });
  if (seconds < 60) return format.format(0, "second");
  if (seconds < 3600) return format.format(-Math.floor(seconds / 60), "minute");
  return format.format(-Math.floor(seconds / 3600), "hour");
}
