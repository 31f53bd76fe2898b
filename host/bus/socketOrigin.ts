import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The bus socket a lean route's call came over, for as long as it is handled: the writes it makes
 * note it on their notifications marked `inAnswer`, and the bus then sends those to every listener
 * but that socket, which reads the same content in its answer. One socket write in three of a
 * visitor's message, at thousands a second.
 */
export const socketOrigin = new AsyncLocalStorage<object>();
