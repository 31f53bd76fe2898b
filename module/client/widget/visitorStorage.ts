/** What the browser keeps of the visitor's conversation, so that a reload resumes it. */
export interface SavedConversation {
  id: number;
  token: string;
  open: boolean;
}

/** localStorage, which private modes may refuse: then the chat still works until the page reloads. */
export class VisitorStorage {
  private readonly conversationKey: string;
  private readonly visitorKeyKey: string;

  constructor(origin: string, channelId: number) {
    this.conversationKey = `livechat.${origin}.${channelId}`;
    this.visitorKeyKey = `livechat.visitorKey.${origin}`;
  }

  /** The key of the bus client's own memory of this conversation. */
  get busKey(): string {
    return `${this.conversationKey}.bus`;
  }

  conversation(): SavedConversation | null {
    const saved = read(this.conversationKey);
    if (typeof saved !== "object" || saved === null) return null;
    const { id, token, open } = saved as Partial<SavedConversation>;
    return typeof id === "number" && typeof token === "string" ? { id, token, open: open === true } : null;
  }

  saveConversation(saved: SavedConversation): void {
    write(this.conversationKey, saved);
  }

  forgetConversation(): void {
    try {
      localStorage.removeItem(this.conversationKey);
    } catch {
      /* nothing was stored */
    }
  }

  /** Identifies the visitor across conversations, so the operator who served them before is preferred. */
  visitorKey(): string | null {
    const key = read(this.visitorKeyKey);
    return typeof key === "string" ? key : null;
  }

  saveVisitorKey(key: string): void {
    write(this.visitorKeyKey, key);
  }
}

function read(key: string): unknown {
  try {
    return JSON.parse(localStorage.getItem(key) ?? "null");
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* private mode: the chat still works until reload */
  }
}
