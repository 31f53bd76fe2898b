import fs from "node:fs";
import path from "node:path";
import Handlebars from "handlebars";
import type { Request } from "express";
import type { Views } from "../contract";
import type { MenuRegistry } from "../menus/MenuRegistry";

type Template = Handlebars.TemplateDelegate<Record<string, unknown>>;

/**
 * Handlebars templates of the host and its modules, the page layout, and named slots: modules fill
 * slots declared in host templates (`{{{slot "layout.systray"}}}`) with their own templates.
 */
/** Data a slot template receives besides the page's own context. */
export type SlotContextProvider = (req: Request) => Promise<Record<string, unknown>>;

export class ViewRegistry implements Views {
  private readonly hbs = Handlebars.create();
  private readonly templates = new Map<string, Template>();
  private readonly slots = new Map<string, string[]>();
  private readonly providers = new Map<string, SlotContextProvider>();
  private readonly headAssets: string[] = [];

  constructor(
    private readonly menus: MenuRegistry,
    private readonly csrfToken: (req: Request) => string,
  ) {
    this.hbs.registerHelper("slot", (name: string, options: Handlebars.HelperOptions) => {
      const filled = (options.data.root as { __slots?: Record<string, string> }).__slots?.[name];
      return new this.hbs.SafeString(filled ?? "");
    });
    this.hbs.registerHelper("eq", (a: unknown, b: unknown) => a === b);
    this.hbs.registerHelper("includes", (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
    this.hbs.registerHelper("json", (value: unknown) => new this.hbs.SafeString(safeJson(value)));
    this.hbs.registerHelper("initials", (name: unknown) =>
      String(name ?? "")
        .split(/\s+/)
        .filter(Boolean)
        .slice(0, 2)
        .map((w) => w[0]?.toUpperCase())
        .join(""),
    );
  }

  /** Registers every `.hbs` file of `dir` as `<namespace>/<file name>`, also usable as a partial. */
  registerDirectory(namespace: string, dir: string): void {
    // A module without templates has no such directory (git keeps no empty folders).
    if (!fs.existsSync(dir)) return;
    for (const file of fs.readdirSync(dir)) {
      if (!file.endsWith(".hbs")) continue;
      const name = `${namespace}/${file.slice(0, -".hbs".length)}`;
      const source = fs.readFileSync(path.join(dir, file), "utf8");
      this.templates.set(name, this.hbs.compile(source, { strict: false }));
      this.hbs.registerPartial(name, source);
    }
  }

  fillSlot(slot: string, template: string): void {
    this.slots.set(slot, [...(this.slots.get(slot) ?? []), template]);
  }

  /** A stylesheet or script a module wants on every page (`layout.head`). */
  addHeadAsset(html: string): void {
    this.headAssets.push(html);
  }

  provideContext(template: string, provider: SlotContextProvider): void {
    this.providers.set(template, provider);
  }

  has(template: string): boolean {
    return this.templates.has(template);
  }

  async render(req: Request, template: string, context: Record<string, unknown> & { title: string }): Promise<string> {
    const user = req.user ?? null;
    const base: Record<string, unknown> = {
      ...context,
      user,
      csrfToken: user ? this.csrfToken(req) : null,
      menus: this.menus.forUser(user),
      currentPath: req.path,
    };
    base.__slots = await this.renderSlots(req, base);
    const body = this.get(template)(base);
    return this.get("host/layout")({ ...base, body: new this.hbs.SafeString(body) });
  }

  private async renderSlots(req: Request, base: Record<string, unknown>): Promise<Record<string, string>> {
    const filled: Record<string, string> = { "layout.head": this.headAssets.join("\n") };
    for (const [slot, templates] of this.slots) {
      const parts: string[] = [];
      for (const template of templates) {
        const provider = this.providers.get(template);
        const extra = provider ? await provider(req) : {};
        parts.push(this.get(template)({ ...base, ...extra }));
      }
      filled[slot] = [filled[slot], ...parts].filter(Boolean).join("\n");
    }
    return filled;
  }

  private get(name: string): Template {
    const template = this.templates.get(name);
    if (!template) throw new Error(`No template named "${name}"`);
    return template;
  }
}

/** JSON safe to embed in a `<script>` element. */
function safeJson(value: unknown): string {
  return JSON.stringify(value ?? null)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
