import { spawn } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import request from "supertest";
import { ROOT_DIR } from "../../host/app";
import { tempSqliteUrl } from "../support/testHost";

describe("npm start", () => {
  it("creates the database with demo data, prints the URL and the demo logins, and serves the login page", async function () {
    this.timeout(60_000);
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT_DIR, "host/main.ts")], {
      cwd: ROOT_DIR,
      env: { ...process.env, PORT: "0", DATABASE_URL: tempSqliteUrl(), LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const match = /running at (http:\/\/\S+)/.exec(output);
          if (match && output.includes("sofia")) resolve(match[1]);
        });
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.once("exit", (code) => reject(new Error(`npm start exited with ${code}: ${output}`)));
      });
      for (const login of ["admin", "mitchell", "marc", "sofia"]) expect(output).to.contain(login);
      const page = await request(url.replace("localhost", "127.0.0.1")).get("/web/login");
      expect(page.status).to.equal(200);
      expect(page.text).to.contain("Log in");
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
    }
  });
});
