import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

/**
 * Bundles the browser code (module/client, TypeScript) into module/static/build, which the host
 * serves as the module's static files. Run by `npm install`, `npm start` and `npm test`; the output
 * is generated, so it is not committed.
 */
const ROOT = path.join(__dirname, "..");
const BUILD_DIR = path.join(ROOT, "module/static/build");

/**
 * Each file of module/client/pages is the script of one kind of page, bundled with what it imports
 * into module/static/build/<name>.js (the views load them; /livechat/loader.js serves widget.js).
 */
const PAGES = path.join(ROOT, "module/client/pages");

export async function buildClient(): Promise<void> {
  const result = await build({
    entryPoints: fs.readdirSync(PAGES).filter((f) => f.endsWith(".ts")).map((f) => path.join(PAGES, f)),
    outdir: BUILD_DIR,
    bundle: true,
    // Classic scripts, not modules: the widget runs on any website and needs document.currentScript.
    format: "iife",
    // Visitors come with any reasonably recent browser.
    target: ["es2019"],
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    write: false,
  });
  // Each file is replaced at once (a running host never serves half a file), and bundles of pages
  // that no longer exist are removed.
  fs.mkdirSync(BUILD_DIR, { recursive: true });
  const produced = new Set(result.outputFiles.map((f) => f.path));
  for (const name of fs.readdirSync(BUILD_DIR)) {
    if (!produced.has(path.join(BUILD_DIR, name))) fs.rmSync(path.join(BUILD_DIR, name), { recursive: true, force: true });
  }
  for (const file of result.outputFiles) {
    fs.writeFileSync(`${file.path}.tmp`, file.contents);
    fs.renameSync(`${file.path}.tmp`, file.path);
  }
}

if (require.main === module) {
  buildClient().catch((err: unknown) => {
    process.stderr.write(`Building the browser code failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
