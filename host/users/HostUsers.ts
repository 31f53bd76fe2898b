import { In, type DataSource, type EntityManager } from "typeorm";
import type { HostUser, Users } from "../contract";
import { User } from "../models/User";
import { UserGroup } from "../models/UserGroup";
import type { Clock } from "../contract";
import { hashPassword, verifyPassword } from "../auth/passwords";
import type { GroupRegistry } from "./GroupRegistry";
import { normalizeLogin } from "./login";

export interface NewUser {
  login: string;
  name: string;
  password: string;
  langCode: string;
  groups: string[];
}

/** A new user whose password has been hashed (`HostUsers.hashed`). */
export interface HashedNewUser extends Omit<NewUser, "password"> {
  passwordHash: string;
}

export class HostUsers implements Users {
  private readonly listeners: ((userId: number) => void)[] = [];

  constructor(
    private readonly db: DataSource,
    private readonly groups: GroupRegistry,
    private readonly clock: Clock,
  ) {}

  async get(id: number): Promise<HostUser | null> {
    const [user] = await this.getMany([id]);
    return user ?? null;
  }

  async getMany(ids: number[]): Promise<HostUser[]> {
    if (ids.length === 0) return [];
    const users = await this.db.getRepository(User).findBy({ id: In(ids) });
    return this.withGroups(users);
  }

  async findByLogin(login: string): Promise<(HostUser & { passwordHash: string }) | null> {
    const user = await this.db.getRepository(User).findOneBy({ login: normalizeLogin(login) });
    if (!user) return null;
    const [hostUser] = await this.withGroups([user]);
    return { ...hostUser, passwordHash: user.passwordHash };
  }

  async inGroup(group: string): Promise<HostUser[]> {
    const direct = this.groups.implying(group);
    if (direct.length === 0) return [];
    const rows = await this.db.getRepository(UserGroup).findBy({ groupId: In(direct) });
    const ids = [...new Set(rows.map((r) => r.userId))];
    return (await this.getMany(ids)).filter((u) => u.active).sort((a, b) => a.id - b.id);
  }

  hasGroup(user: HostUser, group: string): boolean {
    return user.groups.includes(group);
  }

  async list(): Promise<HostUser[]> {
    const users = await this.db.getRepository(User).find({ order: { name: "ASC" } });
    return this.withGroups(users);
  }

  async create(input: NewUser, manager: EntityManager = this.db.manager): Promise<HostUser> {
    return this.insert(await this.hashed(input), manager);
  }

  /**
   * A new user with the password hashed. Inside a transaction, create users with `insert` and hash
   * before it begins: hashing takes milliseconds, and on SQLite a transaction holds the connection
   * for every write until it ends.
   */
  async hashed(input: NewUser): Promise<HashedNewUser> {
    const { password, ...rest } = input;
    return { ...rest, passwordHash: await hashPassword(password) };
  }

  async insert(input: HashedNewUser, manager: EntityManager = this.db.manager): Promise<HostUser> {
    const user = await manager.getRepository(User).save({
      login: normalizeLogin(input.login),
      name: input.name,
      passwordHash: input.passwordHash,
      langCode: input.langCode,
      active: true,
      createdAt: this.clock.now(),
    });
    await manager.getRepository(UserGroup).save(input.groups.map((groupId) => ({ userId: user.id, groupId })));
    const [hostUser] = await this.withGroups([user], manager);
    return hostUser;
  }

  async update(id: number, fields: { name: string; langCode: string }, manager: EntityManager): Promise<void> {
    await manager.getRepository(User).update({ id }, fields);
    this.changed(id);
  }

  onChange(listener: (userId: number) => void): void {
    this.listeners.push(listener);
  }

  private changed(userId: number): void {
    for (const listener of this.listeners) listener(userId);
  }

  /** What an admin edits on a user: identity, access rights, and optionally a new password, hashed (see `hashed`). */
  async updateAccount(
    id: number,
    fields: { name: string; login: string; langCode: string; active: boolean; groups: string[]; passwordHash?: string },
    manager: EntityManager,
  ): Promise<void> {
    const { groups, passwordHash, ...columns } = fields;
    const login = normalizeLogin(columns.login);
    await manager.getRepository(User).update({ id }, { ...columns, login, ...(passwordHash ? { passwordHash } : {}) });
    await manager.getRepository(UserGroup).delete({ userId: id });
    await manager.getRepository(UserGroup).save(groups.map((groupId) => ({ userId: id, groupId })));
    this.changed(id);
  }

  /** Sets a new password if `current` is the user's password; returns false, changing nothing, if not. */
  async changePassword(id: number, current: string, next: string): Promise<boolean> {
    const user = await this.db.getRepository(User).findOneBy({ id });
    if (!user || !(await verifyPassword(user.passwordHash, current))) return false;
    await this.db.getRepository(User).update({ id }, { passwordHash: await hashPassword(next) });
    return true;
  }

  /** Direct memberships only (what an admin ticked), not the implied ones. */
  async directGroups(id: number): Promise<string[]> {
    return (await this.db.getRepository(UserGroup).findBy({ userId: id })).map((r) => r.groupId).sort();
  }

  private async withGroups(users: User[], manager: EntityManager = this.db.manager): Promise<HostUser[]> {
    if (users.length === 0) return [];
    const rows = await manager.getRepository(UserGroup).findBy({ userId: In(users.map((u) => u.id)) });
    const direct = new Map<number, string[]>();
    for (const r of rows) direct.set(r.userId, [...(direct.get(r.userId) ?? []), r.groupId]);
    return users.map((u) => ({
      id: u.id,
      login: u.login,
      name: u.name,
      langCode: u.langCode,
      active: u.active,
      groups: this.groups.expand(direct.get(u.id) ?? []),
    }));
  }
}
