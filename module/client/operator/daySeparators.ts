import { h } from "../shared/dom";
import { locale } from "../shared/i18n";

function dayKey(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

function capitalized(text: string, lang: string): string {
  return text.charAt(0).toLocaleUpperCase(lang) + text.slice(1);
}

/** "Today", "Yesterday", else the weekday and date (with the year when not this year), in the reader's language. */
export function dayLabel(date: Date, now = new Date(), lang = locale()): string {
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  const relative = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  if (dayKey(date) === dayKey(now)) return capitalized(relative.format(0, "day"), lang);
  if (dayKey(date) === dayKey(yesterday)) return capitalized(relative.format(-1, "day"), lang);
  return date.toLocaleDateString(lang, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: date.getFullYear() === now.getFullYear() ? undefined : "numeric",
  });
}

/** Puts a day line before the first message of each day (in the reader's time zone), and only there. */
export function daySeparators(list: HTMLElement, now = new Date()): void {
  list.querySelectorAll(":scope > [data-separator]").forEach((row) => row.remove());
  let previous: string | null = null;
  for (const row of Array.from(list.children)) {
    if (!(row instanceof HTMLElement) || !row.dataset.createdAt) continue;
    const date = new Date(row.dataset.createdAt);
    const key = dayKey(date);
    if (key === previous) continue;
    previous = key;
    const separator = h("li", { class: "o-thread-day" }, h("span", { text: dayLabel(date, now) }));
    separator.dataset.separator = "day";
    list.insertBefore(separator, row);
  }
}
