/**
 * The name visitors see for an operator: the Online Chat Name when set, otherwise the user's name.
 * Every place that shows an operator to a visitor goes through this function.
 */
export function operatorDisplayName(userName: string, chatName: string | null | undefined): string {
  const trimmed = (chatName ?? "").trim();
  return trimmed || userName;
}
