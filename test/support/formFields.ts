/** Undoes the escaping handlebars applies to text and attribute values. */
function unescape(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, "=")
    .replace(/&#x60;/g, "`")
    .replace(/&amp;/g, "&");
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/**
 * The fields a browser would post from the form whose opening tag holds `marker` (templates left out):
 * inputs with their values (checkboxes when checked), textareas, and the selected options of selects.
 */
export function formFields(html: string, marker: string): Record<string, string | string[]> {
  const start = html.lastIndexOf("<form", html.indexOf(marker));
  const form = html.slice(start, html.indexOf("</form>", start)).replace(/<template[\s\S]*?<\/template>/g, "");
  const fields: Record<string, string | string[]> = {};
  const add = (name: string, value: string) => {
    const before = fields[name];
    fields[name] = before === undefined ? value : [before, value].flat();
  };
  for (const match of form.matchAll(/<(input|textarea|select)\b[^>]*>/g)) {
    const tag = match[0];
    const name = attr(tag, "name");
    if (!name) continue;
    const rest = form.slice((match.index ?? 0) + tag.length);
    if (match[1] === "input") {
      if (attr(tag, "type") === "checkbox" && !/\schecked/.test(tag)) continue;
      add(unescape(name), unescape(attr(tag, "value") ?? (attr(tag, "type") === "checkbox" ? "on" : "")));
    } else if (match[1] === "textarea") {
      add(unescape(name), unescape(rest.slice(0, rest.indexOf("</textarea>"))));
    } else {
      const options = rest.slice(0, rest.indexOf("</select>"));
      const selected = [...options.matchAll(/<option value="([^"]*)"[^>]*\sselected/g)].map((m) => unescape(m[1]));
      const chosen = selected.length || /\smultiple/.test(tag) ? selected : [/<option value="([^"]*)"/.exec(options)?.[1] ?? ""];
      for (const value of chosen) add(unescape(name), value);
    }
  }
  return fields;
}
