import { In, type DataSource } from "typeorm";
import { lt } from "../contract";
import { Group } from "../models/Group";
import { GroupImplication } from "../models/GroupImplication";

/** The host's own groups; modules add theirs from their manifests. */
export const HOST_GROUPS = [
  { id: "base.user", name: lt("Internal User"), implies: [] as string[] },
  { id: "base.admin", name: lt("Administration / Settings"), implies: ["base.user"] },
];

/** Knows every group and what it implies, so membership checks need no query. */
export class GroupRegistry {
  private implies = new Map<string, string[]>();
  private names = new Map<string, string>();
  private modules = new Map<string, string>();

  async load(db: DataSource): Promise<void> {
    const [groups, implications] = await Promise.all([
      db.getRepository(Group).find(),
      db.getRepository(GroupImplication).find({ order: { groupId: "ASC", impliedGroupId: "ASC" } }),
    ]);
    this.implies = new Map(groups.map((g) => [g.id, []]));
    for (const i of implications) this.implies.get(i.groupId)?.push(i.impliedGroupId);
    this.names = new Map(groups.map((g) => [g.id, g.name]));
    this.modules = new Map(groups.map((g) => [g.id, g.module]));
  }

  /** Every group, by name, for forms. */
  all(): { id: string; name: string }[] {
    return [...this.names].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
  }

  name(id: string): string {
    return this.names.get(id) ?? id;
  }

  /** The catalog a group's name is translated with: the declaring module's, or the host's for `base`. */
  namespace(id: string): string {
    const module = this.modules.get(id);
    return !module || module === "base" ? "host" : module;
  }

  /**
   * Stores (or updates) groups declared by `module`. A group may imply one declared in the same list
   * or stored before (the host's, or a module's this one depends on); anything else is refused.
   */
  async declare(db: DataSource, module: string, groups: { id: string; name: string; implies?: string[] }[]): Promise<void> {
    await db.transaction(async (m) => {
      await m.getRepository(Group).save(groups.map((g) => ({ id: g.id, name: g.name, module })));
      const implied = [...new Set(groups.flatMap((g) => g.implies ?? []))];
      const known = new Set(implied.length ? (await m.getRepository(Group).findBy({ id: In(implied) })).map((g) => g.id) : []);
      for (const g of groups) {
        const unknown = (g.implies ?? []).filter((id) => !known.has(id));
        if (unknown.length) throw new Error(`Group "${g.id}" of module "${module}" implies unknown group "${unknown.join('", "')}"`);
        await m.getRepository(GroupImplication).delete({ groupId: g.id });
        const rows = [...new Set(g.implies ?? [])].map((impliedGroupId) => ({ groupId: g.id, impliedGroupId }));
        if (rows.length) await m.getRepository(GroupImplication).insert(rows);
      }
    });
    for (const g of groups) {
      this.implies.set(g.id, [...new Set(g.implies ?? [])]);
      this.names.set(g.id, g.name);
      this.modules.set(g.id, module);
    }
  }

  /** The groups given plus every group they imply, transitively. */
  expand(direct: string[]): string[] {
    const seen = new Set<string>();
    const stack = [...direct];
    while (stack.length) {
      const id = stack.pop() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(this.implies.get(id) ?? []));
    }
    return [...seen].sort();
  }

  has(id: string): boolean {
    return this.implies.has(id);
  }

  /** Groups whose expansion contains `group` (the group itself included). */
  implying(group: string): string[] {
    return [...this.implies.keys()].filter((id) => this.expand([id]).includes(group));
  }
}
