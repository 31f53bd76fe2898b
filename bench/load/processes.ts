import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { FromGenerator, ToGenerator } from "./protocol";

/** A bench process (`script` in this folder); `execArgv` adds node flags such as --expose-gc. */
export function child(script: string, args: string[], env: NodeJS.ProcessEnv = {}, execArgv: string[] = []): ChildProcess {
  return fork(path.join(__dirname, script), args, {
    execArgv: ["--import", "tsx", ...execArgv],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

export function next<T>(proc: ChildProcess, accept: (m: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T) => {
      if (!accept(m)) return;
      cleanup();
      resolve(m);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child ${proc.spawnfile} exited with ${code}`));
    };
    const cleanup = () => {
      proc.off("message", onMessage);
      proc.off("exit", onExit);
    };
    proc.on("message", onMessage);
    proc.on("exit", onExit);
  });
}

export async function ask<T>(proc: ChildProcess, message: unknown, accept: (m: T) => boolean = () => true): Promise<T> {
  const answer = next<T>(proc, accept);
  proc.send(message as object);
  return answer;
}

export function fromGenerator(generator: ChildProcess, message: ToGenerator, type: FromGenerator["type"]): Promise<FromGenerator> {
  return ask<FromGenerator>(generator, message, (m) => m.type === type || m.type === "failed").then((m) => {
    if (m.type === "failed") throw new Error(`load generator: ${m.error}`);
    return m;
  });
}
