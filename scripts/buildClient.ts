import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

/**
 * Bundles the browser code (module/client, TypeScript) into module/static/build, which the host
 * serves as the module's static files. Run by `npm install`, `npm start` and `npm test`; the output
 * is generated, so it is not committed.
 */
const ROOT = path.join(__dirname, "..");
const CLIENT = path.join(ROOT, "module/client");
export const BUILD_DIR = path.join(ROOT, "module/static/build");

/** Bundle name → entry. Each page loads the bundles it needs (see views/ and module/routes/uiRoutes.ts). */
const ENTRIES: Record<string, string> = {
  widget: "widget/widget.ts",
};

export async function buildClient(): Promise<void> {
  fs.rmSync(BUILD_DIR, { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, entry]) => [name, path.join(CLIENT, entry)])),
    outdir: BUILD_DIR,
    bundle: true,
    // Classic scripts, not modules: the widget runs on any website and needs document.currentScript.
    format: "iife",
    // Visitors come with any reasonably recent browser.
    target: ["es2019"],
    minify: true,
    legalComments: "none",
    logLevel: "warning",
  });
}

if (require.main === module) {
  buildClient().catch((err: unknown) => {
    process.stderr.write(`Building the browser code failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
