import fs from "node:fs";
import http from "node:http";
import path from "node:path";

/**
 * `npm run demo-site`: a static page on its own port, so on another origin than the helpdesk, that
 * embeds the visitor widget from the helpdesk's URL as any website would. It shows that the widget
 * works cross-origin, without the helpdesk's cookies.
 *
 *   LIVECHAT_URL     the helpdesk (default http://localhost:8069)
 *   LIVECHAT_CHANNEL the channel id (default 1; the page's ?channel=N chooses another)
 *   DEMO_SITE_PORT   the port of this site (default 8070)
 */
const PAGE = path.join(__dirname, "../demo-site/index.html");

export interface DemoSiteOptions {
  port: number;
  helpdeskUrl: string;
  channelId: number;
}

/** The page with the helpdesk's loader for `channelId` in its script tag. */
export function demoPage(helpdeskUrl: string, channelId: number): string {
  const loader = `${new URL(helpdeskUrl).origin}/livechat/loader.js?channel=${channelId}`;
  return fs.readFileSync(PAGE, "utf8").split("__LOADER_URL__").join(loader.replace(/&/g, "&amp;").replace(/"/g, "&quot;"));
}

export function startDemoSite(options: DemoSiteOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://demo-site");
    if (req.method !== "GET" || url.pathname !== "/") {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found\n");
      return;
    }
    const requested = Number(url.searchParams.get("channel"));
    const channelId = Number.isInteger(requested) && requested > 0 ? requested : options.channelId;
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).end(demoPage(options.helpdeskUrl, channelId));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      resolve({
        url: `http://localhost:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

if (require.main === module) {
  const helpdeskUrl = process.env.LIVECHAT_URL ?? "http://localhost:8069";
  startDemoSite({ port: Number(process.env.DEMO_SITE_PORT ?? 8070), helpdeskUrl, channelId: Number(process.env.LIVECHAT_CHANNEL ?? 1) })
    .then((site) => process.stdout.write(`Demo website: ${site.url} (the widget comes from ${helpdeskUrl}; start the helpdesk with npm start)\n`))
    .catch((err: unknown) => {
      process.stderr.write(`The demo website could not start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
