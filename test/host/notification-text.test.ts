import { expect } from "chai";
import type { BusNotification } from "../../host/contract";
import { notificationFromText, notificationMessage } from "../../host/bus/notificationText";

const message = { message: { id: 7, conversationId: 3, body: "Où est ma commande ? \u2028 <b>", author: { kind: "visitor", name: "Zoë" } } };
const text = JSON.stringify(message);

function made(): BusNotification {
  return notificationFromText(41, "livechat.conversation:3", "livechat.message", text, "2026-12-07T06:00:00.000Z");
}

/** Counts JSON.parse calls made by `work`. */
function parsesDuring(work: () => void): number {
  const original = JSON.parse;
  let calls = 0;
  JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
    calls++;
    return original(...args);
  }) as typeof JSON.parse;
  try {
    work();
  } finally {
    JSON.parse = original;
  }
  return calls;
}

describe("Host bus: a notification made from its stored text", () => {
  it("reads, copies and serialises as a notification with its payload as an object", () => {
    const n = made();
    expect(n.payload).to.deep.equal(message);
    expect(Object.keys(n)).to.deep.equal(["id", "channel", "type", "payload", "createdAt"]);
    expect({ ...made() }).to.deep.equal({ id: 41, channel: "livechat.conversation:3", type: "livechat.message", payload: message, createdAt: "2026-12-07T06:00:00.000Z" });
    expect(JSON.parse(JSON.stringify(made()))).to.deep.equal({ ...n });
  });

  it("gives each notification a payload of its own, which a listener may change or replace", () => {
    const a = made();
    const b = made();
    (a.payload as typeof message).message.body = "changed";
    expect((b.payload as typeof message).message.body).to.equal(message.message.body);
    expect((a.payload as typeof message).message.body).to.equal("changed");
    b.payload = { replaced: true };
    expect(b.payload).to.deep.equal({ replaced: true });
  });

  it("makes the socket message from the stored text, without parsing a payload nobody read", () => {
    let socketMessage = "";
    const calls = parsesDuring(() => {
      socketMessage = notificationMessage(made());
    });
    expect(calls).to.equal(0);
    expect(JSON.parse(socketMessage)).to.deep.equal({ op: "notification", notification: { ...made() } });
    expect(socketMessage).to.equal(JSON.stringify({ op: "notification", notification: made() }));
  });

  it("parses a payload once however often it is read", () => {
    const n = made();
    const calls = parsesDuring(() => {
      for (let i = 0; i < 5; i++) expect(n.payload).to.deep.equal(message);
    });
    expect(calls).to.equal(1);
  });
});
