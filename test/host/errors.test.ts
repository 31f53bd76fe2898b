import { expect } from "chai";
import request from "supertest";
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from "../../host/contract";
import { describeError } from "../../host/http/errorHandler";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Errors: one mapper from domain errors to HTTP answers", () => {
  it("answers each domain error with its status and its own message", () => {
    expect(describeError(new InvalidInputError("Name is required."))).to.deep.equal({ status: 400, message: "Name is required." });
    expect(describeError(new ForbiddenError("Managers only."))).to.deep.equal({ status: 403, message: "Managers only." });
    expect(describeError(new NotFoundError("No such thing."))).to.deep.equal({ status: 404, message: "No such thing." });
    expect(describeError(new ConflictError("It has ended."))).to.deep.equal({ status: 409, message: "It has ended." });
  });

  it("hides anything else behind a 500 that names no internals", () => {
    expect(describeError(new Error("SQLITE_ERROR: no such column"))).to.deep.equal({
      status: 500,
      message: "Something went wrong on our side. The error was logged.",
    });
  });

  describe("over HTTP", () => {
    let t: TestHost;
    before(async () => {
      t = await startTestHost();
    });
    after(async () => {
      await t?.stop();
    });

    it("a conversation id that does not exist is a 404 for operators and visitors, never a 500", async () => {
      const operator = await t.login("mitchell");
      for (const path of ["/livechat/api/conversations/987654", "/livechat/api/conversations/0"]) {
        const res = await operator.agent.get(path).set("Accept", "application/json");
        expect(res.status, path).to.equal(404);
        expect(res.body.error).to.equal("No such conversation for you.");
      }
      const posted = await operator.postJson("/livechat/api/conversations/987654/messages", { body: "Hello" });
      expect(posted.status).to.equal(404);
      const visitor = await request(t.url).get("/livechat/conversations/987654").set("Authorization", `Bearer ${"x".repeat(32)}`);
      expect(visitor.status).to.equal(404);
      expect(visitor.body.error).to.equal("No such conversation for this visitor.");
    });

    it("a channel or chatbot script that does not exist is a 404 page for managers", async () => {
      const admin = await t.login("admin");
      for (const path of ["/livechat/channels/987654", "/livechat/chatbots/987654", "/livechat/expertise/987654"]) {
        expect((await admin.agent.get(path)).status, path).to.equal(404);
      }
      const start = await request(t.url).post("/livechat/channels/987654/conversations").send({});
      expect(start.status).to.equal(404);
      expect(start.body.error).to.equal("This live chat channel does not exist.");
    });
  });
});
