import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
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
