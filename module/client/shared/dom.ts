/** What `h` sets on a new element besides its children. */
export interface ElementOptions<K extends keyof HTMLElementTagNameMap> {
  class?: string;
  /** Always set as text, never parsed as HTML. */
  text?: string;
  /** Attributes such as `aria-label` or `role`. */
  attrs?: Record<string, string>;
  /** Element properties such as `type`, `hidden`, `title` or `href`. */
  props?: Partial<HTMLElementTagNameMap[K]>;
}

/** Builds an element; the screens are made of these rather than of HTML strings, so data stays text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions<K> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, value);
  if (options.props) Object.assign(node, options.props);
  node.append(...children);
  return node;
}

/** A Font Awesome icon, hidden from screen readers (the button or text beside it carries the name). */
export function faIcon(name: string): HTMLElement {
  return h("i", { class: `fa-solid ${name}`, attrs: { "aria-hidden": "true" } });
}

/** A one-path SVG icon: the widget needs no icon font on the visitor's website. */
export function svgIcon(pathData: string, className: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", pathData);
  path.setAttribute("fill", "currentColor");
  svg.appendChild(path);
  return svg;
}
