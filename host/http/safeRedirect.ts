/** A stand-in origin: only the path, query and fragment of a target are kept, so its name does not matter. */
const HOST_ORIGIN = "http://host.invalid";

/**
 * The target as a path on this host, or `fallback`. Browsers read `/\evil`, `//evil` and paths with
 * control characters as other sites, so anything that is not plainly a local path is refused before
 * the URL API checks that it stays on the host's origin.
 */
export function safeRedirect(target: unknown, fallback = "/web"): string {
  if (typeof target !== "string" || target.length > 2048) return fallback;
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (!target.startsWith("/") || target.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(target)) return fallback;
  let url: URL;
  try {
    url = new URL(target, HOST_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== HOST_ORIGIN) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
