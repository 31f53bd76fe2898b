/**
 * The rates a load step offers, per second: those listed in the environment variable `envName`
 * (e.g. BENCH_RATES=2000,3000, each offered, to profile the server at a chosen load), else the
 * quick or the full climb.
 */
export function offeredRates(envName: string, quick: boolean, quickRates: number[], fullRates: number[]): number[] {
  const listed = process.env[envName];
  return listed ? listed.split(",").map(Number) : quick ? quickRates : fullRates;
}
