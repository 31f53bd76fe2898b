import { expect } from "chai";
import { ConversationPages, PAGE_SIZE, type ListRequest } from "../../module/client/operator/conversationPages";
import type { OperatorConversationDto, OperatorConversationListDto } from "../../module/services/conversations/dto";

function conversation(id: number, channel: number): OperatorConversationDto {
  return {
    id,
    channel: { id: channel, name: channel === 1 ? "Sales" : "Billing" },
    state: "open",
    operator: { name: "Mitchell" },
    queuePosition: null,
    queueVersion: null,
    createdAt: "2026-11-25T09:00:00.000Z",
    closedAt: null,
    visitorName: `Visitor #${id}`,
    visitorLang: null,
    operatorId: 2,
    unread: 0,
    lastMessage: null,
    lastActivityAt: new Date(Date.UTC(2026, 10, 25, 9, 0, id)).toISOString(),
  };
}

/** A server with conversations 1..n (newest activity: highest id), paged by id as the cursor. */
function server(count: () => number) {
  const asked: ListRequest[] = [];
  const fetch = (request: ListRequest): Promise<OperatorConversationListDto> => {
    asked.push(request);
    const all = Array.from({ length: count() }, (_, i) => count() - i).filter((id) => !request.search || String(id).includes(request.search));
    const from = request.cursor ? all.indexOf(Number(request.cursor)) + 1 : 0;
    const page = all.slice(from, from + request.limit);
    const more = from + request.limit < all.length;
    return Promise.resolve({
      // Odd ids in Sales, even ones in Billing.
      channels: [
        { id: 1, name: "Sales", conversations: page.filter((id) => id % 2 === 1).map((id) => conversation(id, 1)) },
        { id: 2, name: "Billing", conversations: page.filter((id) => id % 2 === 0).map((id) => conversation(id, 2)) },
      ],
      waiting: [],
      unreadConversations: 0,
      next: more ? String(page[page.length - 1]) : null,
    });
  };
  return { fetch, asked };
}

const shown = (data: OperatorConversationListDto | null) => (data ? data.channels.flatMap((c) => c.conversations.map((x) => x.id)).sort((a, b) => b - a) : null);

describe("Client: Discuss's list, page after page", () => {
  it("adds the next page below the shown ones, each conversation once, grouped by channel name", async () => {
    let total = 120;
    const { fetch, asked } = server(() => total);
    const pages = new ConversationPages(fetch);
    const first = await pages.refresh();
    expect(shown(first)).to.have.length(PAGE_SIZE);
    expect(first?.channels.map((c) => c.name)).to.deep.equal(["Billing", "Sales"]);
    expect(pages.hasMore).to.equal(true);
    total = 125;
    const second = shown(await pages.loadMore());
    expect(second).to.have.length(2 * PAGE_SIZE);
    expect(new Set(second).size).to.equal(second?.length);
    // A refresh reloads as many as are shown, from the top.
    await pages.refresh();
    expect(asked[asked.length - 1]).to.deep.equal({ search: "", limit: 2 * PAGE_SIZE, cursor: null });
  });

  it("starts over on a new search, and drops the answer of the search it replaced", async () => {
    const { fetch, asked } = server(() => 30);
    const pages = new ConversationPages(fetch);
    await pages.refresh();
    const older = pages.setSearch("2");
    const newer = pages.setSearch("3");
    expect(await older).to.equal(null);
    expect(shown(await newer)).to.deep.equal([30, 23, 13, 3]);
    expect(asked[asked.length - 1]).to.deep.equal({ search: "3", limit: PAGE_SIZE, cursor: null });
    expect(await pages.setSearch(" 3 ")).to.equal(null);
  });
});
