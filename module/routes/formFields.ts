import { z } from "zod";
import { parseId } from "../../host/contract";

/** A form field posted once (a string), several times (an array), or not at all; empty values dropped. */
export const manyStrings = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : [v].flat().filter((s) => s !== "")));

/** The same, for record ids chosen in a multi-select; anything else is refused with `message`. */
export function manyIds(message: string) {
  return manyStrings
    .transform((values) => values.map(parseId))
    .refine((ids): ids is number[] => ids.every((id) => id !== null), message);
}
