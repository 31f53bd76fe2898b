import { Entity, PrimaryColumn } from "typeorm";

/**
 * One of an operator's Online Chat Languages. Stored by code, so a language the admin disables later
 * stays on the profile (and counts again if re-enabled) without breaking anything.
 */
@Entity({ name: "livechat_operator_lang" })
export class OperatorLanguage {
  @PrimaryColumn({ name: "user_id", type: "integer" })
  userId: number;

  @PrimaryColumn({ name: "lang_code", type: String, length: 16 })
  langCode: string;
}
