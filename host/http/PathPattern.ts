/** A route's path with `:name` parameters, matched as express matches it. */
export class PathPattern {
  private readonly pattern: RegExp;
  private readonly names: string[] = [];

  constructor(readonly path: string) {
    const source = path
      .split("/")
      .map((part) => {
        if (!part.startsWith(":")) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        this.names.push(part.slice(1));
        return "([^/]+)";
      })
      .join("/");
    this.pattern = new RegExp(`^${source}$`);
  }

  /**
   * The decoded parameters of `url` when it is this path; undefined when it is not, null when it is
   * but a parameter cannot be decoded (express answers that itself).
   */
  match(url: string): Record<string, string> | null | undefined {
    const match = this.pattern.exec(url);
    if (!match) return undefined;
    const params: Record<string, string> = {};
    try {
      this.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1])));
    } catch {
      return null;
    }
    return params;
  }
}
