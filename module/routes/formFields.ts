import { z } from "zod";

/** A form field posted once (a string), several times (an array), or not at all; empty values dropped. */
export const manyStrings = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : [v].flat().filter((s) => s !== "")));

/** The same, for record ids chosen in a multi-select; anything else is refused with `message`. */
export function manyIds(message: string) {
  return manyStrings.transform((values) => values.map(Number)).refine((ids) => ids.every((id) => Number.isSafeInteger(id) && id > 0), message);
}
