import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { loggedInPage } from "./browser";
import { startTestHost, type TestHost } from "./testHost";

/** The window size operators' pages open at: wide enough for chat windows beside the page. */
const OPERATOR_VIEWPORT = { width: 1280, height: 800 };

/** What a browser test of the chat works with once its suite has started. */
export interface BrowserScenario {
  readonly t: TestHost;
  readonly browser: Browser;
  /** A page of `login` (password the same), logged in, on the home page. */
  operator(login: string): Promise<Page>;
  /** A new visitor (a context of their own) on the demo website, the chat opened. */
  visitor(options?: BrowserContextOptions): Promise<Page>;
  /** What scripts threw on the pages above (an operator's from the login on), in order. */
  readonly scriptErrors: string[];
}

/**
 * A demo host whose website channel answers without the chatbot, and a browser, for the suite this is
 * called in (it adds the suite's before and after hooks). `setup` runs once the host is up.
 */
export function browserScenario(setup?: (t: TestHost) => Promise<void>): BrowserScenario {
  let host: TestHost | null = null;
  let browser: Browser | null = null;
  const scriptErrors: string[] = [];
  const watched = (page: Page): Page => page.on("pageerror", (error) => scriptErrors.push(error.message));
  const started = <T>(value: T | null): T => {
    if (value === null) throw new Error("browserScenario: used before the suite's before hook ran");
    return value;
  };
  before(async () => {
    host = await startTestHost();
    await host.host.db.getRepository(LivechatChannel).update({ name: "Website Support" }, { chatbotScriptId: null });
    await setup?.(host);
    browser = await host.browser();
  });
  after(async () => {
    await host?.stop();
  });
  return {
    get t() {
      return started(host);
    },
    get browser() {
      return started(browser);
    },
    scriptErrors,
    operator: async (login) => watched(await loggedInPage(started(browser), started(host).url, login, { viewport: OPERATOR_VIEWPORT })),
    async visitor(options = {}) {
      const page = watched(await (await started(browser).newContext(options)).newPage());
      await page.goto(`${started(host).url}/livechat/demo`);
      await page.getByRole("button", { name: "Have a question? Chat with us." }).click();
      return page;
    },
  };
}
