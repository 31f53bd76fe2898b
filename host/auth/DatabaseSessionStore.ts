import { createHash } from "node:crypto";
import session from "express-session";
import { LessThan, Not, type DataSource } from "typeorm";
import type { Clock } from "../contract";
import { Session } from "../models/Session";

type Callback = (err?: unknown) => void;

/** A session's idle expiry is written again once it would move by this much (of two weeks). */
const TOUCH_AFTER_MS = 60_000;
/** Sessions whose expiry is remembered at most. */
const KNOWN_EXPIRIES = 100_000;

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
  /** Each session's expiry as last read or written here (ms), by hashed id: a touch that would barely move it writes nothing. */
  private readonly knownExpiry = new Map<string, number>();

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
        this.know(key, row.expiresAt.getTime());
        callback(null, JSON.parse(row.data) as session.SessionData);
      })
      .catch(callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const key = hashSid(sid);
    const expiresAt = this.expiry();
    // The opening time is written once: a later save updates everything else.
    this.db
      .createQueryBuilder()
      .insert()
      .into(Session)
      .values({ sid: key, data: JSON.stringify(data), expiresAt, createdAt: this.clock.now(), userId: data.passport?.user ?? null })
      .orUpdate(["data", "expires_at", "user_id"], ["sid"])
      .updateEntity(false)
      .execute()
      .then(
        () => {
          this.know(key, expiresAt.getTime());
          callback?.();
        },
        (err: unknown) => callback?.(err),
      );
  }

  /**
   * Moves the idle expiry on, as every request does (rolling sessions); not when it was moved less
   * than `TOUCH_AFTER_MS` ago: each touch is a write, and an operator's page makes requests all day.
   */
  override touch(sid: string, _data: session.SessionData, callback?: Callback): void {
    const key = hashSid(sid);
    const expiresAt = this.expiry();
    const known = this.knownExpiry.get(key);
    if (known !== undefined && expiresAt.getTime() - known < TOUCH_AFTER_MS) {
      callback?.();
      return;
    }
    this.db
      .getRepository(Session)
      .update({ sid: key }, { expiresAt })
      .then(
        () => {
          this.know(key, expiresAt.getTime());
          callback?.();
        },
        (err: unknown) => callback?.(err),
      );
  }

  private know(key: string, expiresAt: number): void {
    // Forgetting costs a touch each at most: the map stays small however many sessions come and go.
    if (this.knownExpiry.size >= KNOWN_EXPIRIES) this.knownExpiry.clear();
    this.knownExpiry.set(key, expiresAt);
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
