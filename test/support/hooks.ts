import { closeSharedBrowser } from "./browser";

/** Root hooks for the whole run (`.mocharc.json` requires this file). */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await closeSharedBrowser();
  },
};
