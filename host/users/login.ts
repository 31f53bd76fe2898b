/** Logins are compared and stored without case: "Marc" and "marc" are the same login. */
export function normalizeLogin(login: string): string {
  return login.trim().toLocaleLowerCase("en");
}
