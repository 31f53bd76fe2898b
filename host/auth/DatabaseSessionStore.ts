import { createHash } from "node:crypto";
import session from "express-session";
import { LessThan, Not, type DataSource } from "typeorm";
import type { Clock } from "../contract";
import { Session } from "../models/Session";

type Callback = (err?: unknown) => void;

/** Sessions are stored by this hash of their id, never by the id a cookie carries. */
function hashSid(sid: string): string {
  return createHash("sha256").update(sid).digest("hex");
}

/**
 * express-session store on the host's own database: sessions survive restarts and are shared by
 * instances. A session ends after `idleMs` without a request (rolling), and `absoluteMs` after it
 * was opened, however active.
 */
export class DatabaseSessionStore extends session.Store {
  private readonly endedListeners: (() => void)[] = [];

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly idleMs: number,
    private readonly absoluteMs: number,
  ) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    const key = hashSid(sid);
    this.db
      .getRepository(Session)
      .findOneBy({ sid: key })
      .then(async (row) => {
        if (!row) return callback(null, null);
        const now = this.clock.now().getTime();
        if (row.expiresAt.getTime() <= now || row.createdAt.getTime() + this.absoluteMs <= now) {
          await this.db.getRepository(Session).delete({ sid: key });
          return callback(null, null);
        }
        callback(null, JSON.parse(row.data) as session.SessionData);
      })
      .catch(callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    // The opening time is written once: a later save updates everything else.
    this.db
      .createQueryBuilder()
      .insert()
      .into(Session)
      .values({ sid: hashSid(sid), data: JSON.stringify(data), expiresAt: this.expiry(), createdAt: this.clock.now(), userId: data.passport?.user ?? null })
      .orUpdate(["data", "expires_at", "user_id"], ["sid"])
      .updateEntity(false)
      .execute()
      .then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  override touch(sid: string, _data: session.SessionData, callback?: Callback): void {
    this.db
      .getRepository(Session)
      .update({ sid: hashSid(sid) }, { expiresAt: this.expiry() })
      .then(() => callback?.(), (err: unknown) => callback?.(err));
  }

  override destroy(sid: string, callback?: Callback): void {
    this.db
      .getRepository(Session)
      .delete({ sid: hashSid(sid) })
      .then(
        () => {
          this.ended();
          callback?.();
        },
        (err: unknown) => callback?.(err),
      );
  }

  /** Calls `listener` when this instance ended sessions (a logout, a user's sessions ended). */
  onEnded(listener: () => void): void {
    this.endedListeners.push(listener);
  }

  private ended(): void {
    for (const listener of this.endedListeners) listener();
  }

  /** Ends every session of a user, except the one given (the user's own, after changing a password). */
  async endForUser(userId: number, exceptSid?: string): Promise<number> {
    const where = exceptSid === undefined ? { userId } : { userId, sid: Not(hashSid(exceptSid)) };
    const result = await this.db.getRepository(Session).delete(where);
    this.ended();
    return result.affected ?? 0;
  }

  /** Deletes expired sessions; the host schedules it. */
  async prune(): Promise<number> {
    const now = this.clock.now();
    const idle = await this.db.getRepository(Session).delete({ expiresAt: LessThan(now) });
    const old = await this.db.getRepository(Session).delete({ createdAt: LessThan(new Date(now.getTime() - this.absoluteMs)) });
    return (idle.affected ?? 0) + (old.affected ?? 0);
  }

  private expiry(): Date {
    return new Date(this.clock.now().getTime() + this.idleMs);
  }
}
