import fs from "node:fs";
import path from "node:path";
import semver from "semver";
import { HOST_CONTRACT_VERSION, type ModuleDefinition, type ModuleManifest, type ModuleMigration } from "../contract";
import { manifestSchema } from "./manifestSchema";

/** A module found on disk: its manifest, its entry object and its migrations. */
export interface LoadedModule {
  dir: string;
  manifest: ModuleManifest;
  definition: ModuleDefinition;
  migrations: ModuleMigration[];
}

/** Raised when a module cannot be installed; the message says which module and why. */
export class ModuleLoadError extends Error {}

export function readManifest(dir: string): ModuleManifest {
  const file = path.join(dir, "manifest.json");
  if (!fs.existsSync(file)) throw new ModuleLoadError(`No manifest.json in ${dir}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new ModuleLoadError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ModuleLoadError(`${file} is not a valid manifest: ${problems}`);
  }
  return parsed.data;
}

/**
 * Reads the modules in `dirs`, checks their host version and dependencies, and returns them in
 * install order (every module after the modules it depends on).
 */
export function loadModules(dirs: string[]): LoadedModule[] {
  const manifests = dirs.map((dir) => ({ dir: path.resolve(dir), manifest: readManifest(dir) }));
  const byName = new Map<string, { dir: string; manifest: ModuleManifest }>();
  for (const m of manifests) {
    if (byName.has(m.manifest.name)) throw new ModuleLoadError(`Module "${m.manifest.name}" is listed twice`);
    byName.set(m.manifest.name, m);
  }
  for (const { manifest } of manifests) {
    if (!semver.validRange(manifest.hostVersion) || !semver.satisfies(HOST_CONTRACT_VERSION, manifest.hostVersion)) {
      throw new ModuleLoadError(
        `Module "${manifest.name}" needs host version ${manifest.hostVersion}, but this host is ${HOST_CONTRACT_VERSION}`,
      );
    }
    for (const dep of manifest.depends) {
      if (!byName.has(dep)) {
        throw new ModuleLoadError(`Module "${manifest.name}" depends on "${dep}", which is not available to install`);
      }
    }
  }

  const ordered: { dir: string; manifest: ModuleManifest }[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, chain: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      throw new ModuleLoadError(`Modules depend on each other in a cycle: ${[...chain, name].join(" → ")}`);
    }
    state.set(name, "visiting");
    const mod = byName.get(name) as { dir: string; manifest: ModuleManifest };
    for (const dep of mod.manifest.depends) visit(dep, [...chain, name]);
    state.set(name, "done");
    ordered.push(mod);
  };
  for (const { manifest } of manifests) visit(manifest.name, []);

  return ordered.map(({ dir, manifest }) => ({
    dir,
    manifest,
    definition: importEntry(dir, manifest),
    migrations: importMigrations(path.join(dir, manifest.migrations)),
  }));
}

function importEntry(dir: string, manifest: ModuleManifest): ModuleDefinition {
  const file = path.join(dir, manifest.entry);
  // Modules are TypeScript loaded at run time, hence require rather than a static import.
  const exported = require(file) as { default?: ModuleDefinition };
  const definition = exported.default;
  if (!definition || typeof definition.install !== "function" || !Array.isArray(definition.entities)) {
    throw new ModuleLoadError(`${file} must export default { entities, install }`);
  }
  return definition;
}

function importMigrations(dir: string): ModuleMigration[] {
  if (!fs.existsSync(dir)) return [];
  const migrations: ModuleMigration[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    if (!/\.(ts|js)$/.test(file) || file.endsWith(".d.ts")) continue;
    const exported = require(path.join(dir, file)) as Record<string, unknown>;
    for (const value of Object.values(exported)) {
      if (typeof value === "function") migrations.push(value as ModuleMigration);
    }
  }
  return migrations;
}
