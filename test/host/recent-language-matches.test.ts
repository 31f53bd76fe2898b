import { expect } from "chai";
import type { HostLanguage, Languages } from "../../host/contract";
import { RecentLanguageMatches } from "../../host/langs/RecentLanguageMatches";

/** Languages whose answers the test hands out one read at a time. */
class HeldLanguages implements Languages {
  reads = 0;
  private readonly held: { resolve: (l: HostLanguage | null) => void; reject: (e: Error) => void }[] = [];

  async list(): Promise<HostLanguage[]> {
    return [];
  }

  async getByCodes(): Promise<HostLanguage[]> {
    return [];
  }

  bestMatch(): Promise<HostLanguage | null> {
    this.reads++;
    return new Promise((resolve, reject) => this.held.push({ resolve, reject }));
  }

  answer(code: string | null): void {
    const next = this.held.shift();
    if (!next) throw new Error("no read is waiting");
    next.resolve(code === null ? null : { id: 1, code, isoCode: code.slice(0, 2), name: code, enabled: true });
  }

  fail(): void {
    this.held.shift()?.reject(new Error("database gone"));
  }

  get waiting(): number {
    return this.held.length;
  }
}

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
}

describe("Host: the 503's language, kept per Accept-Language header", () => {
  let clock = 1_000_000;
  const now = () => clock;

  it("reads the database once for requests that ask at the same moment", async () => {
    const langs = new HeldLanguages();
    const matches = new RecentLanguageMatches(langs, "en_US", now);
    const asked = Array.from({ length: 50 }, () => matches.codeFor("fr-FR,fr;q=0.9"));
    expect(langs.reads).to.equal(1);
    langs.answer("fr_FR");
    expect(await Promise.all(asked)).to.deep.equal(new Array(50).fill("fr_FR"));
    expect(await matches.codeFor("fr-FR,fr;q=0.9")).to.equal("fr_FR");
    expect(langs.reads).to.equal(1);
  });

  it("answers a match past its time at once, and the refreshed match after one read", async () => {
    const langs = new HeldLanguages();
    const matches = new RecentLanguageMatches(langs, "en_US", now);
    const first = matches.codeFor("de");
    langs.answer("de_DE");
    expect(await first).to.equal("de_DE");

    // German was disabled meanwhile: the next read says so, but the database is slow to answer.
    clock += 11_000;
    const late = [matches.codeFor("de"), matches.codeFor("de"), matches.codeFor("de")];
    for (const answer of late) expect(await settled(answer)).to.equal(true);
    expect(await Promise.all(late)).to.deep.equal(["de_DE", "de_DE", "de_DE"]);
    expect(langs.reads).to.equal(2);
    langs.answer(null);
    await new Promise((r) => setImmediate(r));
    expect(await matches.codeFor("de")).to.equal("en_US");
    expect(langs.waiting).to.equal(0);
  });

  it("keeps the last match when a refresh fails, and tries again on the next request", async () => {
    const langs = new HeldLanguages();
    const matches = new RecentLanguageMatches(langs, "en_US", now);
    const first = matches.codeFor("nl");
    langs.answer("nl_NL");
    await first;
    clock += 11_000;
    expect(await matches.codeFor("nl")).to.equal("nl_NL");
    langs.fail();
    await new Promise((r) => setImmediate(r));
    expect(await matches.codeFor("nl")).to.equal("nl_NL");
    expect(langs.reads).to.equal(3);
    langs.answer("nl_BE");
    await new Promise((r) => setImmediate(r));
    expect(await matches.codeFor("nl")).to.equal("nl_BE");
  });

  it("refuses a first read that fails, and reads again on the next request", async () => {
    const langs = new HeldLanguages();
    const matches = new RecentLanguageMatches(langs, "en_US", now);
    const first = matches.codeFor("es");
    langs.fail();
    let error: unknown = null;
    await first.catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error);
    const second = matches.codeFor("es");
    expect(langs.reads).to.equal(2);
    langs.answer("es_ES");
    expect(await second).to.equal("es_ES");
  });
});
