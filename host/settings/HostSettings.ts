import type { DataSource } from "typeorm";
import type { Logger, Settings } from "../contract";
import { Setting } from "../models/Setting";

const MAX_KEY_LENGTH = 128;

/**
 * Named settings in `host_setting`, shared by every instance. Read through on every call (no cache), so
 * a change made on one instance is seen by all of them at once.
 */
export class HostSettings implements Settings {
  constructor(
    private readonly db: DataSource,
    private readonly logger: Logger,
  ) {}

  async get(key: string, fallback: string): Promise<string> {
    const row = await this.db.getRepository(Setting).findOneBy({ key: checkedKey(key) });
    return row ? row.value : fallback;
  }

  /** A stored value that is not a finite number is ignored with a warning, so a typo cannot break a job. */
  async getNumber(key: string, fallback: number): Promise<number> {
    const row = await this.db.getRepository(Setting).findOneBy({ key: checkedKey(key) });
    if (!row) return fallback;
    const text = row.value.trim();
    const value = text === "" ? Number.NaN : Number(text);
    if (!Number.isFinite(value)) {
      this.logger.warn("Setting is not a number; using the default", { key, value: row.value, fallback });
      return fallback;
    }
    return value;
  }

  /** INSERT ... ON CONFLICT (key) DO UPDATE: one statement on SQLite and PostgreSQL, safe when instances race. */
  async set(key: string, value: string): Promise<void> {
    await this.db
      .createQueryBuilder()
      .insert()
      .into(Setting)
      .values({ key: checkedKey(key), value })
      .orUpdate(["value"], ["key"])
      .updateEntity(false)
      .execute();
  }
}

function checkedKey(key: string): string {
  if (!key || key.length > MAX_KEY_LENGTH) throw new Error(`Setting key must have 1 to ${MAX_KEY_LENGTH} characters`);
  return key;
}
