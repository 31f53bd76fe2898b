import { expect } from "chai";
import { busRefusal, connectBus } from "../support/busClient";
import { startTestHost, type TestHost } from "../support/testHost";
import { asVisitor, channelWithOperators, online, startVisitor } from "./helpers";

describe("What a visitor's token opens, and for how long", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("opens the conversation on the HTTP API until an hour after it ended, then nothing, as on the bus", async () => {
    const { channel, operators } = await channelWithOperators(t, "Expiring", ["expiry1"], null);
    await online(t, ...operators);
    const v = await startVisitor(t, channel.id);
    const api = asVisitor(t, v);
    expect((await api.post(`/livechat/conversations/${v.id}/messages`, { body: "My card number ends with 4242", clientMessageId: "expiry-1" })).status).to.equal(201);
    expect((await api.post(`/livechat/conversations/${v.id}/end`)).status).to.equal(200);

    // A reload within the hour still shows the ended conversation and its transcript.
    t.clock.advance(59 * 60_000);
    expect((await api.get(`/livechat/conversations/${v.id}`)).body.conversation.state).to.equal("closed");
    expect((await api.get(`/livechat/conversations/${v.id}/messages`)).body.messages.map((m: { body: string }) => m.body)).to.include(
      "My card number ends with 4242",
    );
    (await connectBus(t.url, { token: v.token })).close();

    // Past the hour, whoever holds the token reads nothing more.
    t.clock.advance(2 * 60_000);
    const refused = [
      await api.get(`/livechat/conversations/${v.id}`),
      await api.get(`/livechat/conversations/${v.id}/messages`),
      await api.post(`/livechat/conversations/${v.id}/messages`, { body: "Still there?", clientMessageId: "expiry-2" }),
      await api.post(`/livechat/conversations/${v.id}/ping`),
      await api.post(`/livechat/conversations/${v.id}/end`),
    ];
    expect(refused.map((r) => r.status)).to.deep.equal([404, 404, 404, 404, 404]);
    expect(refused.map((r) => JSON.stringify(r.body)).join(" ")).not.to.contain("4242");
    expect(await busRefusal(t.url, { token: v.token })).to.equal(401);
  });

  it("keeps opening a conversation that has not ended, however old", async () => {
    const { channel } = await channelWithOperators(t, "Long wait", [], null);
    const v = await startVisitor(t, channel.id);
    for (let hour = 0; hour < 3; hour++) {
      t.clock.advance(60 * 60_000);
      // The visitor's pings keep it from being closed as abandoned.
      expect((await asVisitor(t, v).post(`/livechat/conversations/${v.id}/ping`)).status).to.equal(200);
    }
    expect((await asVisitor(t, v).get(`/livechat/conversations/${v.id}`)).body.conversation.state).to.equal("waiting");
  });
});
