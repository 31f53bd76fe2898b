import { gzipSync } from "node:zlib";

/**
 * What a visitor's browser downloads before the first message, as a website embeds the widget: the
 * loader (the widget bundle itself), its stylesheet, and the bus client it loads to receive answers.
 * Sizes are gzipped (level 6, what servers and CDNs commonly send), in bytes.
 */
export async function widgetDownload(url: string, channelId: number): Promise<{ total: number; files: Record<string, number> }> {
  const paths = [`/livechat/loader.js?channel=${channelId}`, "/livechat/static/widget.css", "/host/static/bus.js"];
  const files: Record<string, number> = {};
  for (const path of paths) {
    const res = await fetch(url + path);
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    files[path] = gzipSync(Buffer.from(await res.arrayBuffer()), { level: 6 }).length;
  }
  return { total: Object.values(files).reduce((a, b) => a + b, 0), files };
}
