import path from "node:path";
import { expect } from "chai";
import { ESLint } from "eslint";

const ROOT = path.resolve(__dirname, "..");

/**
 * The layer rules of `npm run lint` (eslint.config.mjs), tried on code planted at a path inside each
 * folder. The code is linted in memory: nothing is written into the tree.
 */
describe("Layers enforced by npm run lint", function () {
  // The first lint loads the TypeScript parser and the config, which takes a while on a busy machine.
  this.timeout(120_000);
  const eslint = new ESLint({ cwd: ROOT });

  /** The messages of `ruleId` for `code` as if it were the file at `file` (relative to the root). */
  async function problems(file: string, code: string, ruleId = "no-restricted-imports"): Promise<string[]> {
    const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath: path.join(ROOT, file) });
    return result.messages.filter((m) => m.ruleId === ruleId).map((m) => m.message);
  }

  it("refuses module code that imports the host other than host/contract.ts", async () => {
    for (const file of ["module/planted.ts", "module/routes/planted.ts", "module/client/planted.ts", "test/fixtures/livechat_extra/planted.ts"]) {
      const up = "../".repeat(file.split("/").length - 1);
      const [message] = await problems(file, `import { HostBus } from "${up}host/bus/HostBus";`);
      expect(message, file).to.contain("only through host/contract.ts");
      expect(await problems(file, `import { NotFoundError } from "${up}host/contract";`), file).to.deep.equal([]);
    }
    expect(await problems("module/services/chatbot/planted.ts", `import { HostBus } from "../../../host/bus/HostBus";`)).to.have.length(1);
    expect(await problems("module/models/planted.ts", `import type { HostUser } from "../../host/auth/types";`)).to.have.length(1);
  });

  it("refuses an integrating module that reaches into the livechat module other than module/api.ts", async () => {
    const file = "test/fixtures/livechat_extra/planted.ts";
    const [message] = await problems(file, `import type { Candidate } from "../../../module/services/assignment/chooseOperator";`);
    expect(message).to.contain("only through module/api.ts");
    expect(await problems(file, `import { conversationClosed } from "../../../module/api";`)).to.deep.equal([]);
  });

  it("refuses services that import routes or express", async () => {
    const [routes] = await problems("module/services/chatbot/planted.ts", `import { manyIds } from "../../routes/formFields";`);
    expect(routes).to.contain("never the other way round");
    const [express] = await problems("module/services/planted.ts", `import type { Request } from "express";`);
    expect(express).to.contain("know nothing of HTTP");
    expect(await problems("module/services/planted.ts", `import { Message } from "../models/Message";`)).to.deep.equal([]);
    expect(await problems("module/routes/planted.ts", `import { Router } from "express";\nimport type { ChannelService } from "../services/ChannelService";`)).to.deep.equal([]);
  });

  it("refuses models that import services or routes", async () => {
    expect(await problems("module/models/planted.ts", `import type { ChannelService } from "../services/ChannelService";`)).to.have.length(1);
    expect(await problems("module/models/planted.ts", `import { asyncRoute } from "../routes/asyncRoute";`)).to.have.length(1);
    expect(await problems("module/models/planted.ts", `import { Message } from "./Message";`)).to.deep.equal([]);
  });

  it("refuses host code that imports the module statically", async () => {
    const [message] = await problems("host/planted.ts", `import definition from "../module/index";`);
    expect(message).to.contain("only through the loader");
    expect(await problems("host/loader/planted.ts", `import type { ChannelService } from "../../module/services/ChannelService";`)).to.have.length(1);
    expect(await problems("host/planted.ts", `import type { HostContract } from "./contract";`)).to.deep.equal([]);
  });

  it("refuses explicit any in module code, browser code included", async () => {
    for (const file of ["module/services/planted.ts", "module/client/planted.ts"]) {
      expect(await problems(file, "export const value: any = 1;", "@typescript-eslint/no-explicit-any"), file).to.have.length(1);
      expect(await problems(file, "export const value: unknown = 1;", "@typescript-eslint/no-explicit-any"), file).to.deep.equal([]);
    }
  });
});
