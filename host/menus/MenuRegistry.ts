import type { HostUser, MenuItem } from "../contract";

/** A menu entry as the layout renders it: only what the current user may see, sorted. */
export interface VisibleMenu {
  id: string;
  label: string;
  url?: string;
  icon?: string;
  children: VisibleMenu[];
}

export class MenuRegistry {
  private roots: MenuItem[] = [];

  add(menu: MenuItem): void {
    const parentId = menu.id.includes(".") ? menu.id.slice(0, menu.id.lastIndexOf(".")) : null;
    const parent = parentId ? this.find(this.roots, parentId) : null;
    if (parentId && parent) {
      parent.children = [...(parent.children ?? []).filter((c) => c.id !== menu.id), menu];
    } else {
      this.roots = [...this.roots.filter((m) => m.id !== menu.id), menu];
    }
  }

  forUser(user: HostUser | null): VisibleMenu[] {
    if (!user) return [];
    const visit = (items: MenuItem[]): VisibleMenu[] =>
      [...items]
        .filter((m) => !m.groups || m.groups.some((g) => user.groups.includes(g)))
        .sort((a, b) => (a.sequence ?? 50) - (b.sequence ?? 50) || a.label.localeCompare(b.label))
        .map((m) => ({ id: m.id, label: m.label, url: m.url, icon: m.icon, children: visit(m.children ?? []) }))
        // A section whose every entry is hidden is hidden too.
        .filter((m) => m.url || m.children.length > 0);
    return visit(this.roots);
  }

  private find(items: MenuItem[], id: string): MenuItem | null {
    for (const item of items) {
      if (item.id === id) return item;
      const inner = this.find(item.children ?? [], id);
      if (inner) return inner;
    }
    return null;
  }
}
