import type { Logger } from "./contract";

export type LogLevel = "silent" | "error" | "warn" | "info";

const RANK: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3 };

export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(RANK, value);
}

/** `LOG_LEVEL` when it names a level, otherwise `info` (an unknown value must not silence the logs). */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const value = env.LOG_LEVEL?.trim().toLowerCase();
  return value && isLogLevel(value) ? value : "info";
}

/**
 * One line per entry: `<ISO time> <LEVEL> <message> <fields as JSON>`, so that log collectors and
 * grep both keep an entry together. Errors and warnings go to stderr, the rest to stdout.
 */
export class ConsoleLogger implements Logger {
  constructor(readonly level: LogLevel = logLevelFromEnv()) {}

  info(message: string, fields?: Record<string, unknown>): void {
    this.write("info", message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.write("warn", message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.write("error", message, fields);
  }

  private write(level: Exclude<LogLevel, "silent">, message: string, fields?: Record<string, unknown>): void {
    if (RANK[level] > RANK[this.level]) return;
    const line = formatLogLine(new Date(), level, message, fields);
    if (level === "info") process.stdout.write(`${line}\n`);
    else process.stderr.write(`${line}\n`);
  }
}

export function formatLogLine(time: Date, level: string, message: string, fields?: Record<string, unknown>): string {
  // A message with line breaks would split the entry; JSON-style escapes keep it on one line.
  const text = message.replace(/\r?\n/g, "\\n");
  const head = `${time.toISOString()} ${level.toUpperCase()} ${text}`;
  return fields && Object.keys(fields).length > 0 ? `${head} ${stringifyFields(fields)}` : head;
}

/**
 * JSON that never throws: errors keep their message, stack and cause; bigints become strings; an object
 * met a second time (a cycle, or shared) is printed once.
 */
function stringifyFields(fields: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(fields, (_key, value: unknown) => {
    if (typeof value === "bigint") return value.toString();
    if (value instanceof Error) {
      return { name: value.name, message: value.message, stack: value.stack, cause: value.cause };
    }
    if (typeof value === "object" && value !== null) {
      if (seen.has(value)) return "[repeated]";
      seen.add(value);
    }
    return value;
  });
}
