import { expect } from "chai";
import type { SocketAnswer } from "../../host/contract";
import type { BusConnection } from "../../module/client/shared/hostBus";
import { busy, RequestError } from "../../module/client/shared/http";
import { withNetworkRetry } from "../../module/client/shared/sending";
import { VisitorApi } from "../../module/client/widget/visitorApi";
import { Message } from "../../module/models/Message";
import { connectBus, type TestBusClient } from "../support/busClient";
import { startTestHost, type TestHost } from "../support/testHost";
import { visitorOfMitchell, type Visitor } from "../conversations/helpers";

/** The widget's bus connection, as far as sending goes: a real socket, or none (`post` answers null). */
function busOf(post: (path: string, body: unknown, lang?: string) => Promise<SocketAnswer> | null): BusConnection {
  const none = () => () => undefined;
  return { on: none, onSignal: none, onReady: none, refresh: () => undefined, close: () => undefined, post };
}

function overSocket(socket: TestBusClient): BusConnection {
  return busOf(async (path, body, lang) => {
    const frame = await socket.post(path, body, lang);
    return { status: frame.status ?? 0, body: frame.body, ...(frame.retryAfter === undefined ? {} : { retryAfter: frame.retryAfter }) };
  });
}

describe("Client: the widget sends a message over its socket, and over HTTP when it has none", () => {
  let t: TestHost;
  let visitor: Visitor;
  let socket: TestBusClient;
  let httpPosts: string[];
  const realFetch = globalThis.fetch;
  const stored = (clientMessageId: string) => t.host.db.getRepository(Message).countBy({ conversationId: visitor.id, clientMessageId });

  before(async () => {
    t = await startTestHost();
    visitor = await visitorOfMitchell(t);
    socket = await connectBus(t.url, { token: visitor.token });
    globalThis.fetch = (input, init) => {
      if (init?.method === "POST") httpPosts.push(String(input));
      return realFetch(input, init);
    };
  });
  beforeEach(() => {
    httpPosts = [];
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await socket?.close();
    await t?.stop();
  });

  function api(bus: BusConnection | null): VisitorApi {
    const visitorApi = new VisitorApi(t.url);
    visitorApi.token = visitor.token;
    visitorApi.socket = bus;
    return visitorApi;
  }

  it("uses the open socket: the message is stored and answered, with no HTTP request", async () => {
    const answer = await api(overSocket(socket)).post(visitor.id, "By socket", "w-1");
    expect(answer.message.body).to.equal("By socket");
    expect(httpPosts).to.deep.equal([]);
    expect(await stored("w-1")).to.equal(1);
  });

  it("sends the typing signal over the open socket too", async () => {
    expect(await api(overSocket(socket)).typing(visitor.id, true)).to.deep.equal({ delivered: true });
    expect(httpPosts).to.deep.equal([]);
    expect(await api(busOf(() => null)).typing(visitor.id, false)).to.deep.equal({ delivered: true });
    expect(httpPosts).to.deep.equal([`${t.url}/livechat/conversations/${visitor.id}/typing`]);
  });

  it("falls back to HTTP when the socket is not open", async () => {
    const answer = await api(busOf(() => null)).post(visitor.id, "By HTTP", "w-2");
    expect(answer.message.body).to.equal("By HTTP");
    expect(httpPosts).to.deep.equal([`${t.url}/livechat/conversations/${visitor.id}/messages`]);
    expect(await stored("w-2")).to.equal(1);
  });

  it("sends again over HTTP when the socket closed after the message was sent, and it is stored once", async () => {
    let attempts = 0;
    const closing = busOf((path, body, lang) => {
      attempts++;
      if (attempts > 1) return null;
      // The server takes the message, then the connection goes before its answer is read.
      return socket.post(path, body, lang).then(() => Promise.reject(new Error("The connection closed before the answer came")));
    });
    const answer = await withNetworkRetry(() => api(closing).post(visitor.id, "Lost answer", "w-3"), 1);
    expect(answer.message.body).to.equal("Lost answer");
    expect(httpPosts).to.have.length(1);
    expect(await stored("w-3")).to.equal(1);
  });

  it("reads a busy server's answer on the socket as it reads a 503 over HTTP", async () => {
    t.host.load.limit = 0;
    try {
      const error = await api(overSocket(socket))
        .post(visitor.id, "Busy", "w-4")
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(error).to.be.instanceOf(RequestError);
      expect(busy(error)).to.equal(true);
      expect([(error as RequestError).retryAfterMs, (error as RequestError).message]).to.deep.equal([1000, "The server is busy: please try again in a moment."]);
    } finally {
      t.host.load.limit = 256;
    }
    expect(await stored("w-4")).to.equal(0);
  });
});
