import { Client, type Dispatcher } from "undici";

/**
 * A fixed set of keep-alive HTTP connections to one server, as many as there are visitors (each
 * browser has its own). A request takes the connection idle longest (fifo, so none idles long enough
 * to be closed) and waits only when every one is busy. Answers are read by undici's low-level handler:
 * the status is all a load step needs, so no header object and no body stream is built per answer,
 * which keeps the generator's share of this machine's cores small.
 */
export class Connections {
  private readonly idle: Client[] = [];
  private readonly waiting: ((client: Client) => void)[] = [];
  /** Connections opened (first ones and reopened ones); the generator sets it to 0 before each step. */
  opened = 0;

  constructor(
    base: string,
    readonly count: number,
  ) {
    for (let i = 0; i < count; i++) {
      // Idle connections live as long as the server keeps them (its Keep-Alive header says 65 s).
      const client = new Client(base, { pipelining: 1, keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 });
      client.on("connect", () => this.opened++);
      this.idle.push(client);
    }
  }

  /** The answer's status, 0 when none came (network failure or timeout). */
  async request(method: "GET" | "POST", path: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<number> {
    const client = this.idle.shift() ?? (await new Promise<Client>((resolve) => this.waiting.push(resolve)));
    try {
      return await new Promise<number>((resolve) => {
        let status = 0;
        const handler: Dispatcher.DispatchHandler = {
          onConnect: () => undefined,
          onHeaders: (statusCode) => {
            status = statusCode;
            return true;
          },
          onData: () => true,
          onComplete: () => resolve(status),
          onError: () => resolve(0),
        };
        client.dispatch({ method, path, headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }, handler);
      });
    } finally {
      const next = this.waiting.shift();
      if (next) next(client);
      else this.idle.push(client);
    }
  }

  /** One request on every connection at once: opens those not open yet, and keeps the others from idling out. */
  async touch(path: string): Promise<void> {
    await Promise.all(Array.from({ length: this.count }, () => this.request("GET", path, {}, undefined, 30_000)));
  }

  close(): Promise<void[]> {
    return Promise.all([...this.idle].map((c) => c.destroy()));
  }
}
