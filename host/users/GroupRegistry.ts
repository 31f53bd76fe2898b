import type { DataSource } from "typeorm";
import { Group } from "../models/Group";

/** The host's own groups; modules add theirs from their manifests. */
export const HOST_GROUPS = [
  { id: "base.user", name: "Internal User", implies: [] as string[] },
  { id: "base.admin", name: "Administration / Settings", implies: ["base.user"] },
];

/** Knows every group and what it implies, so membership checks need no query. */
export class GroupRegistry {
  private implies = new Map<string, string[]>();
  private names = new Map<string, string>();

  async load(db: DataSource): Promise<void> {
    const groups = await db.getRepository(Group).find();
    this.implies = new Map(groups.map((g) => [g.id, g.implies ? g.implies.split(",").filter(Boolean) : []]));
    this.names = new Map(groups.map((g) => [g.id, g.name]));
  }

  /** Every group, by name, for forms. */
  all(): { id: string; name: string }[] {
    return [...this.names].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
  }

  name(id: string): string {
    return this.names.get(id) ?? id;
  }

  /** Stores (or updates) groups declared by `module`. */
  async declare(db: DataSource, module: string, groups: { id: string; name: string; implies?: string[] }[]): Promise<void> {
    const repo = db.getRepository(Group);
    for (const g of groups) {
      await repo.save({ id: g.id, name: g.name, implies: (g.implies ?? []).join(","), module });
      this.implies.set(g.id, g.implies ?? []);
      this.names.set(g.id, g.name);
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
