import { InvalidInputError, isBlankText, lt } from "../../../host/contract";

export const MESSAGE_MAX = 4000;

/** Trims a message and refuses an empty (nothing visible) or oversized one with a message saying which. */
export function checkMessageBody(raw: unknown): string {
  if (typeof raw !== "string") throw new InvalidInputError(lt("The message must be text."));
  const body = raw.trim();
  if (isBlankText(body)) throw new InvalidInputError(lt("The message is empty."));
  if (body.length > MESSAGE_MAX) throw new InvalidInputError(lt("The message is too long: at most {max} characters, this one has {length}."), { max: MESSAGE_MAX, length: body.length });
  return body;
}

/** A client message id is what makes a retried post the same message: short and printable. */
export function checkClientMessageId(raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === "") return null;
  if (typeof raw !== "string" || !/^[A-Za-z0-9_.:-]{1,64}$/.test(raw)) {
    throw new InvalidInputError("clientMessageId must be 1 to 64 letters, digits or _ . : -");
  }
  return raw;
}
