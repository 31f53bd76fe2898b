import type { OperatorConversationDto, OperatorConversationListDto } from "../../services/conversations/dto";

/** How many conversations a page brings; the API gives at most `MAX_PAGE` at once. */
export const PAGE_SIZE = 50;
const MAX_PAGE = 200;

export interface ListRequest {
  search: string;
  limit: number;
  cursor: string | null;
}

/**
 * Discuss's list as far as the operator scrolled: the first page and those loaded after it with the
 * server's cursor (keyset on last activity, so conversations arriving meanwhile shift nothing), for
 * one search. A refresh reloads as many as are shown from the top, so read marks and new messages
 * show on every loaded conversation; answers to an older search are dropped.
 */
export class ConversationPages {
  private conversations: OperatorConversationDto[] = [];
  private waiting: OperatorConversationDto[] = [];
  private unread = 0;
  private next: string | null = null;
  private search = "";
  private generation = 0;
  private loadingMore = false;

  constructor(private readonly fetch: (request: ListRequest) => Promise<OperatorConversationListDto>) {}

  get hasMore(): boolean {
    return this.next !== null;
  }

  get searchText(): string {
    return this.search;
  }

  /** Starts over with another search (empty: every conversation). */
  async setSearch(text: string): Promise<OperatorConversationListDto | null> {
    const search = text.trim();
    if (search === this.search) return null;
    this.search = search;
    this.conversations = [];
    this.next = null;
    return this.refresh();
  }

  /** The list from the top, as many as are shown (at least a page); null when a newer request overtook it. */
  async refresh(): Promise<OperatorConversationListDto | null> {
    const generation = ++this.generation;
    const limit = Math.min(MAX_PAGE, Math.max(PAGE_SIZE, this.conversations.length));
    const data = await this.fetch({ search: this.search, limit, cursor: null });
    if (generation !== this.generation) return null;
    this.conversations = flatten(data);
    this.waiting = data.waiting;
    this.unread = data.unreadConversations;
    this.next = data.next;
    return this.view();
  }

  /** The next page below those shown; null when there is none, one is already coming, or the list changed meanwhile. */
  async loadMore(): Promise<OperatorConversationListDto | null> {
    if (!this.next || this.loadingMore) return null;
    const generation = this.generation;
    this.loadingMore = true;
    try {
      const data = await this.fetch({ search: this.search, limit: PAGE_SIZE, cursor: this.next });
      if (generation !== this.generation) return null;
      const known = new Set(this.conversations.map((c) => c.id));
      this.conversations.push(...flatten(data).filter((c) => !known.has(c.id)));
      this.next = data.next;
      return this.view();
    } finally {
      this.loadingMore = false;
    }
  }

  /** What is shown, grouped under each channel's name (channels by name, conversations by last activity). */
  view(): OperatorConversationListDto {
    const channels = new Map<number, OperatorConversationListDto["channels"][number]>();
    for (const c of this.conversations) {
      const group = channels.get(c.channel.id) ?? { id: c.channel.id, name: c.channel.name, conversations: [] };
      group.conversations.push(c);
      channels.set(c.channel.id, group);
    }
    return {
      channels: [...channels.values()].sort((a, b) => a.name.localeCompare(b.name)),
      waiting: this.waiting,
      unreadConversations: this.unread,
      next: this.next,
    };
  }
}

/** A page's conversations, newest activity first. */
function flatten(data: OperatorConversationListDto): OperatorConversationDto[] {
  return data.channels
    .flatMap((c) => c.conversations)
    .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || b.id - a.id);
}
