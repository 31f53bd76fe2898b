import type { Hooks, Logger } from "../contract";

type Filter = (value: unknown, context: unknown) => unknown;
type EventHandler = (event: unknown) => void | Promise<void>;

/**
 * Named extension points. Handlers are typed where they are added and applied; a hook's name is the
 * agreement between the module that applies it and the modules that add to it.
 */
export class HostHooks implements Hooks {
  private readonly filters = new Map<string, Filter[]>();
  private readonly handlers = new Map<string, EventHandler[]>();

  constructor(private readonly logger: Logger) {}

  addFilter<T, C = undefined>(name: string, handler: (value: T, context: C) => T | Promise<T>): void {
    append(this.filters, name, handler as unknown as Filter);
  }

  hasFilters(name: string): boolean {
    return (this.filters.get(name)?.length ?? 0) > 0;
  }

  /**
   * Passes `value` through every filter in registration order, each receiving the previous result.
   * A failing filter rejects the call: there is no correct value to go on with.
   */
  async applyFilters<T, C = undefined>(name: string, value: T, context: C): Promise<T> {
    let current: unknown = value;
    for (const filter of [...(this.filters.get(name) ?? [])]) {
      current = await filter(current, context);
    }
    return current as T;
  }

  on<E>(name: string, handler: (event: E) => void | Promise<void>): void {
    append(this.handlers, name, handler as unknown as EventHandler);
  }

  /**
   * Calls every handler in registration order, one after the other. A failing handler is logged and
   * the others still run: one extension must not break another's notification.
   */
  async emit<E>(name: string, event: E): Promise<void> {
    const handlers = this.handlers.get(name);
    // Events nobody listens to are emitted on hot paths (every visitor message).
    if (handlers === undefined) return;
    for (const [index, handler] of [...handlers].entries()) {
      try {
        await handler(event);
      } catch (error) {
        this.logger.error("Event handler failed", { hook: name, handler: handler.name || `#${index}`, error });
      }
    }
  }
}

function append<H>(map: Map<string, H[]>, name: string, handler: H): void {
  const list = map.get(name);
  if (list) list.push(handler);
  else map.set(name, [handler]);
}
