import { z } from "zod";
import type { MenuItem, ModuleManifest } from "../contract";

const menuItem: z.ZodType<MenuItem> = z.lazy(() =>
  z.object({
    id: z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/),
    label: z.string().min(1),
    url: z.string().startsWith("/").optional(),
    icon: z.string().optional(),
    groups: z.array(z.string()).optional(),
    sequence: z.number().int().optional(),
    children: z.array(menuItem).optional(),
  }),
);

export const manifestSchema: z.ZodType<ModuleManifest> = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, "a module name is lower case letters, digits and _"),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, "a version is MAJOR.MINOR.PATCH"),
  title: z.string().min(1),
  summary: z.string(),
  depends: z.array(z.string()),
  hostVersion: z.string().min(1),
  entry: z.string().min(1),
  views: z.object({
    templates: z.string(),
    slots: z.array(z.object({ slot: z.string(), template: z.string() })),
  }),
  migrations: z.string(),
  static: z.string().optional(),
  i18n: z.string().optional(),
  groups: z.array(z.object({ id: z.string(), name: z.string(), implies: z.array(z.string()).optional() })),
  menus: z.array(menuItem),
});
