import fs from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

/**
 * Flags for a root user on a machine without outside network: no sandbox (root), and none of
 * Chromium's background connections, which would be refused and slow every start.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
}

/**
 * Debian's Chromium, driven by playwright-core, which never downloads a browser of its own. Each
 * `browser.newContext()` starts with empty storage, so tests do not share cookies or sessions.
 */
async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!fs.existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. Install Debian's chromium ` +
        "(apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH to a Chromium binary.",
    );
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

let shared: Promise<Browser> | null = null;

/**
 * One Chromium for the whole run, started on first use: each test works in contexts of its own, and
 * a start costs seconds. `test/support/hooks.ts` closes it when the run ends.
 */
export function sharedBrowser(): Promise<Browser> {
  shared ??= launchBrowser().catch((error: unknown) => {
    shared = null;
    throw error;
  });
  return shared;
}

export async function closeSharedBrowser(): Promise<void> {
  const browser = shared;
  shared = null;
  if (browser) await (await browser).close();
}

/** Closes every context open in `browser`, so pages left open do not outlive their suite. */
export async function closeContexts(browser: Browser): Promise<void> {
  await Promise.all(browser.contexts().map((context) => context.close()));
}

/** A new browser context logged in through the login form, as a person would, on the home screen. */
export async function loggedInPage(
  browser: Browser,
  url: string,
  login: string,
  options: { password?: string; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const page = await (await browser.newContext(options.viewport ? { viewport: options.viewport } : {})).newPage();
  await page.goto(`${url}/web/login`);
  await page.getByLabel("Login").fill(login);
  await page.getByLabel("Password").fill(options.password ?? login);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${url}/web`);
  return page;
}
