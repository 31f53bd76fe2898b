import { expect } from "chai";
import { languageTag, locale, t, useCatalog } from "../../module/client/shared/i18n";

describe("Client: the browser's translation function", () => {
  afterEach(() => useCatalog("en", {}));

  it("shows the served catalog's text, with its placeholders filled", () => {
    useCatalog("fr-FR", { "with {name}": "avec {name}", Send: "Envoyer" });
    expect(t("Send")).to.equal("Envoyer");
    expect(t("with {name}", { name: "Marc" })).to.equal("avec Marc");
    expect(locale()).to.equal("fr-FR");
  });

  it("shows English for a text the catalog lacks, and English plural forms without any catalog", () => {
    useCatalog("de", {});
    expect(t("started {time}", { time: "09:05" })).to.equal("started 09:05");
    useCatalog("en", {});
    expect(t("{count} operators", { count: 1 })).to.equal("1 operator");
    expect(t("{count} operators", { count: 3 })).to.equal("3 operators");
  });

  it("picks the language's plural form", () => {
    useCatalog("fr", { "{count} operators_one": "{count} opérateur", "{count} operators_other": "{count} opérateurs" });
    // French counts 0 and 1 as singular.
    expect(t("{count} operators", { count: 0 })).to.equal("0 opérateur");
    expect(t("{count} operators", { count: 2 })).to.equal("2 opérateurs");
    // A form the catalog lacks (French "many", for a million) falls back to "other".
    expect(t("{count} operators", { count: 1_000_000 })).to.equal("1000000 opérateurs");
  });

  it("turns locale codes into language tags and refuses anything else", () => {
    expect(languageTag("es_ES")).to.equal("es-ES");
    expect(languageTag("de")).to.equal("de");
    expect(languageTag("../../etc")).to.equal("en");
    expect(languageTag(null)).to.equal("en");
  });
});
