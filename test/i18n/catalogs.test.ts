import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ROOT_DIR } from "../../host/app";
import { namespaces, type Namespace } from "../support/translationKeys";

const LANGUAGES = ["fr", "es", "de"];

function readCatalog(ns: Namespace, lang: string): Record<string, string> {
  const file = path.join(ns.catalogDir, `${lang}.json`);
  expect(fs.existsSync(file), `${path.basename(ns.catalogDir)}/${lang}.json ships`).to.equal(true);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
}

/** The keys a catalog must hold: the text itself, or one entry per plural form of the language. */
function requiredKeys(ns: Namespace, lang: string): Map<string, string> {
  const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
  const required = new Map<string, string>();
  for (const { key, plural, where } of ns.used) {
    if (plural) for (const c of categories) required.set(`${key}_${c}`, where);
    else if (lang !== "en") required.set(key, where);
  }
  return required;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

describe("Translation catalogs", () => {
  for (const ns of namespaces()) {
    describe(`the ${ns.name} catalogs`, () => {
      it("are used: the code shows translated text", () => {
        expect(ns.used.length).to.be.greaterThan(5);
      });

      for (const lang of [...LANGUAGES, "en"]) {
        it(`${lang}: every text the code shows has a translation, with the same placeholders`, () => {
          const catalog = lang === "en" && !fs.existsSync(path.join(ns.catalogDir, "en.json")) ? {} : readCatalog(ns, lang);
          const missing = [...requiredKeys(ns, lang)].filter(([key]) => !catalog[key]?.trim()).map(([key, where]) => `${key}  (${where})`);
          expect(missing, `missing in ${ns.name}/${lang}.json`).to.deep.equal([]);
          const wrong = Object.entries(catalog)
            .filter(([key, text]) => placeholders(text).some((p) => !placeholders(key).includes(p) && p !== "count"))
            .map(([key]) => key);
          expect(wrong, `placeholders not in the English text, ${ns.name}/${lang}.json`).to.deep.equal([]);
        });

        it(`${lang}: holds no text that the code does not use`, () => {
          if (lang === "en" && !fs.existsSync(path.join(ns.catalogDir, "en.json"))) return;
          const required = requiredKeys(ns, lang);
          const unused = Object.keys(readCatalog(ns, lang)).filter((key) => !required.has(key));
          expect(unused, `unused in ${ns.name}/${lang}.json`).to.deep.equal([]);
        });
      }
    });
  }
});

/** A literal string set as what a person reads: element text, titles, placeholders, labels, aria-labels. */
const SHOWN_LITERAL =
  /(?:\b(?:text|title|placeholder|label)\s*:|"aria-label"\s*:|\.(?:textContent|title|placeholder)\s*=|setAttribute\(\s*"(?:aria-label|title|placeholder)"\s*,)\s*(["'`])((?:(?!\1)[^\\]|\\.)*)\1/g;

function clientFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? clientFiles(full) : entry.name.endsWith(".ts") ? [full] : [];
  });
}

describe("Translation of the browser code (module/client)", () => {
  const clientDir = path.join(ROOT_DIR, "module/client");

  it("shows no words that bypass the translation function", () => {
    const bare: string[] = [];
    for (const file of clientFiles(clientDir)) {
      const source = fs.readFileSync(file, "utf8");
      for (const m of source.matchAll(SHOWN_LITERAL)) {
        // What a template literal fills in is data (a count, a name); the words around it are not.
        if (!/\p{L}{2,}/u.test(m[2].replace(/\$\{[^}]*\}/g, ""))) continue;
        const line = source.slice(0, m.index).split("\n").length;
        bare.push(`${path.relative(ROOT_DIR, file)}:${line}: ${m[0]}`);
      }
    }
    expect(bare, "texts shown without t()").to.deep.equal([]);
  });

  it("has its texts checked with the module's: present in every catalog, none left unused", () => {
    const livechat = namespaces().find((ns) => ns.name !== "host");
    const clientKeys = livechat?.used.filter((k) => k.where.startsWith("module/client/")) ?? [];
    // The widget, chat windows, Discuss and the Messages menu each bring their own words.
    for (const part of ["widget/", "operator/chatWindow", "operator/discuss", "operator/messagesMenu"]) {
      expect(clientKeys.some((k) => k.where.startsWith(`module/client/${part}`)), part).to.equal(true);
    }
  });
});
