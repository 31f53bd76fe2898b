import path from "node:path";
import type { Page } from "playwright-core";
import { ROOT_DIR } from "../../host/app";

/** Saves the README's screenshot `docs/<name>` when the run asks for them (`SCREENSHOTS=1`). */
export async function readmeShot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS === "1") await page.screenshot({ path: path.join(ROOT_DIR, "docs", name) });
}
