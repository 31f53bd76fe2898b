import { expect } from "chai";
import { connectBus, type TestBusClient } from "../support/busClient";
import { startTestHost, type TestHost } from "../support/testHost";
import { asVisitor, channelWithOperators, startVisitor } from "./helpers";

describe("The Waiting group follows the queues of the operator's channels live", () => {
  let t: TestHost;
  const sockets: TestBusClient[] = [];
  before(async () => {
    t = await startTestHost();
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });
  after(async () => {
    await t?.stop();
  });
  const socketOf = async (login: string) => {
    const socket = await connectBus(t.url, { cookie: (await t.login(login)).cookie });
    sockets.push(socket);
    return socket;
  };

  it("tells the channel's operators when a visitor joins the end of the queue and when one leaves it; others hear nothing", async () => {
    // At most one conversation each: the member's socket makes them online, and the second visitor waits.
    const { channel } = await channelWithOperators(t, "Live queue", ["wl_member"], 1);
    await channelWithOperators(t, "Elsewhere", ["wl_outsider"], null);
    t.clock.advance(3 * 3600_000);
    const member = await socketOf("wl_member");
    const outsider = await socketOf("wl_outsider");

    expect((await startVisitor(t, channel.id)).body.conversation.state).to.equal("open");
    const v = await startVisitor(t, channel.id);
    expect(v.body.conversation.state).to.equal("waiting");
    const joined = await member.nextSignal((s) => s.type === "livechat.waiting");
    expect(joined).to.deep.include({ payload: { channelId: channel.id, conversationId: v.id } });

    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/end`).expect(200);
    const left = await member.next((n) => n.type === "livechat.queue");
    expect(left.payload).to.deep.include({ channelId: channel.id, left: [v.id] });
    // A marker sent to the outsider after both: what the outsider was sent before it has arrived.
    const outsiderId = (await t.host.users.findByLogin("wl_outsider"))!.id;
    await t.host.bus.publish(`user:${outsiderId}`, "test.marker", {});
    await outsider.next((n) => n.type === "test.marker");
    expect(outsider.signals).to.deep.equal([]);
    expect(outsider.notifications.filter((n) => n.type === "livechat.queue")).to.deep.equal([]);

  });
});
