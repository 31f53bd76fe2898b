import fs from "node:fs";
import path from "node:path";
import { ROOT_DIR } from "../../host/app";

/** A text the code shows through the translation function; `plural` when it is called with `count`. */
export interface UsedKey {
  key: string;
  plural: boolean;
  where: string;
}

/** `t("…")`, `t(lang, "…")`, `i18n.t(ns, lang, "…")` and `lt("…")` with a literal text. */
const CODE_CALL = /\b(?:t|lt)\(\s*(?:[\w$.?]+\s*,\s*){0,2}(["'])((?:(?!\1)[^\\\n]|\\.)*)\1/g;
/** `{{t "…"}}` and the sub-expression `(t "…")`. */
const TEMPLATE_CALL = /[{(]\s*t\s+"((?:[^"\\]|\\.)*)"/g;

function unescape(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}

function files(dir: string, extension: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(full, extension);
    return entry.name.endsWith(extension) ? [full] : [];
  });
}

function scanCode(file: string): UsedKey[] {
  const source = fs.readFileSync(file, "utf8");
  return [...source.matchAll(CODE_CALL)].map((m) => {
    const rest = source.slice((m.index ?? 0) + m[0].length);
    const args = rest.slice(0, rest.indexOf(")") + 1);
    return { key: unescape(m[2]), plural: /\bcount\b/.test(args), where: path.relative(ROOT_DIR, file) };
  });
}

function scanTemplate(file: string): UsedKey[] {
  const source = fs.readFileSync(file, "utf8");
  return [...source.matchAll(TEMPLATE_CALL)].map((m) => {
    const rest = source.slice((m.index ?? 0) + m[0].length);
    const end = Math.min(...["}}", ")"].map((s) => rest.indexOf(s)).filter((i) => i >= 0));
    return { key: unescape(m[1]), plural: /\bcount=/.test(rest.slice(0, end)), where: path.relative(ROOT_DIR, file) };
  });
}

interface ManifestWords {
  menus?: { label: string; children?: ManifestWords["menus"] }[];
  groups?: { name: string }[];
}

/** Menu labels and group names of a manifest: shown translated, so they are keys of the module's catalog. */
function scanManifest(file: string): UsedKey[] {
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as ManifestWords;
  const where = path.relative(ROOT_DIR, file);
  const labels = (menus: ManifestWords["menus"]): string[] => (menus ?? []).flatMap((m) => [m.label, ...labels(m.children)]);
  return [...labels(manifest.menus), ...(manifest.groups ?? []).map((g) => g.name)].map((key) => ({ key, plural: false, where }));
}

/** A namespace's words and where its catalogs are. */
export interface Namespace {
  name: string;
  catalogDir: string;
  used: UsedKey[];
}

/** The host's words (host/) and the livechat module's (module/, views/, manifest.json). */
export function namespaces(): Namespace[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT_DIR, "manifest.json"), "utf8")) as { name: string; i18n: string };
  return [
    {
      name: "host",
      catalogDir: path.join(ROOT_DIR, "host/i18n/catalogs"),
      used: [...files(path.join(ROOT_DIR, "host"), ".ts").flatMap(scanCode), ...files(path.join(ROOT_DIR, "host/templates"), ".hbs").flatMap(scanTemplate)],
    },
    {
      name: manifest.name,
      catalogDir: path.join(ROOT_DIR, manifest.i18n),
      used: [
        ...files(path.join(ROOT_DIR, "module"), ".ts").flatMap(scanCode),
        ...files(path.join(ROOT_DIR, "views"), ".hbs").flatMap(scanTemplate),
        ...scanManifest(path.join(ROOT_DIR, "manifest.json")),
      ],
    },
  ];
}
