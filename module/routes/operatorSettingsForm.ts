import { z } from "zod";
import { InvalidInputError, isCleanName, nameRefusal, parseId, type HostContract } from "../../host/contract";
import type { ExpertiseService } from "../services/ExpertiseService";
import { CHAT_NAME_MAX, type OperatorSettings } from "../services/OperatorProfiles";
import { manyStrings } from "./formFields";

const form = z.object({
  livechat_chat_name: z
    .string()
    .optional()
    .transform((v) => (v ?? "").trim())
    .refine((v) => v.length <= CHAT_NAME_MAX, `The Online Chat Name is at most ${CHAT_NAME_MAX} characters.`)
    .refine((v) => v === "" || isCleanName(v), nameRefusal("The Online Chat Name")),
  livechat_lang_codes: manyStrings,
  livechat_expertise_ids: manyStrings,
});

/**
 * Whether a posted form carried the live chat fields (views/operator_fields.hbs marks them): an empty
 * multi-select posts nothing, so without the marker a partial post would read as "clear everything".
 */
export function carriesOperatorFields(body: Record<string, unknown>): boolean {
  return body.livechat_profile === "1";
}

/**
 * Reads Online Chat Name, Online Chat Languages and Live Chat Expertise from a posted form (the same
 * field names in My Profile and in the manager's operator form). Refuses, naming it, any language
 * that is unknown or disabled and any expertise that does not exist.
 *
 * `storedLangCodes` are the operator's languages before this form: those the host has disabled since
 * were not offered in the form, so they are kept (and count again if the language is re-enabled).
 */
export async function parseOperatorSettings(
  host: HostContract,
  expertise: ExpertiseService,
  body: Record<string, unknown>,
  storedLangCodes: string[] = [],
): Promise<OperatorSettings> {
  const parsed = form.safeParse(body);
  if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join(" "));
  const { livechat_chat_name: chatName, livechat_lang_codes: codes, livechat_expertise_ids: rawIds } = parsed.data;

  const langCodes = [...new Set(codes)];
  const known = await host.langs.getByCodes(langCodes);
  for (const code of langCodes) {
    const lang = known.find((l) => l.code === code);
    if (!lang) throw new InvalidInputError(`Online Chat Languages: "${code}" is not a known language.`);
    if (!lang.enabled) throw new InvalidInputError(`Online Chat Languages: ${lang.name} (${code}) is not enabled on this database.`);
  }
  if (storedLangCodes.length) {
    const enabled = new Set((await host.langs.list({ enabledOnly: true })).map((l) => l.code));
    for (const code of storedLangCodes) if (!enabled.has(code) && !langCodes.includes(code)) langCodes.push(code);
  }

  const expertiseIds = [...new Set(rawIds)].map((raw) => {
    const id = parseId(raw);
    if (id === null) throw new InvalidInputError(`Live Chat Expertise: "${raw}" is not an expertise.`);
    return id;
  });
  if (expertiseIds.length) {
    const found = await expertise.namesByIds(expertiseIds);
    const missing = expertiseIds.filter((id) => !found.has(id));
    if (missing.length) throw new InvalidInputError(`Live Chat Expertise: no expertise with id ${missing.join(", ")}.`);
  }
  return { chatName, langCodes, expertiseIds };
}
