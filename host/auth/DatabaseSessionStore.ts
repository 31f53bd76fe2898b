import session from "express-session";
import { LessThan, type DataSource } from "typeorm";
import type { Clock } from "../contract";
import { Session } from "../models/Session";

type Callback = (err?: unknown) => void;

/** express-session store on the host's own database: sessions survive restarts and are shared by instances. */
export class DatabaseSessionStore extends session.Store {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly defaultTtlMs: number,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.db
      .getRepository(Session)
      .findOneBy({ sid })
      .then((row) => {
        if (!row || row.expiresAt.getTime() <= this.clock.now().getTime()) return callback(null, null);
        callback(null, JSON.parse(row.data) as session.SessionData);
      }, callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    this.db
      .getRepository(Session)
      .upsert({ sid, data: JSON.stringify(data), expiresAt: this.expiry(data) }, ["sid"])
      .then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    this.db
      .getRepository(Session)
      .update({ sid }, { expiresAt: this.expiry(data) })
      .then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  override destroy(sid: string, callback?: Callback): void {
    this.db
      .getRepository(Session)
      .delete({ sid })
      .then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  /** Deletes expired sessions; the host schedules it. */
  async prune(): Promise<number> {
    const result = await this.db.getRepository(Session).delete({ expiresAt: LessThan(this.clock.now()) });
    return result.affected ?? 0;
  }

  private expiry(data: session.SessionData): Date {
    const maxAge = data.cookie?.maxAge ?? this.defaultTtlMs;
    return new Date(this.clock.now().getTime() + maxAge);
  }
}
