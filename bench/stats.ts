/** Percentile of a sample (nearest rank); the sample is sorted in place. */
export function percentile(sample: number[], p: number): number {
  if (sample.length === 0) return NaN;
  sample.sort((a, b) => a - b);
  const rank = Math.min(sample.length - 1, Math.max(0, Math.ceil((p / 100) * sample.length) - 1));
  return sample[rank];
}

export interface Figure {
  name: string;
  unit: string;
  value: number;
  /** The same-run baseline this figure is compared with, and the ratio value / baseline. */
  baseline?: { name: string; value: number; ratio: number };
  /** The parts that add up to the value, when it is a sum. */
  detail?: Record<string, number>;
}

export function withBaseline(figure: Omit<Figure, "baseline">, baselineName: string, baselineValue: number): Figure {
  return { ...figure, baseline: { name: baselineName, value: baselineValue, ratio: figure.value / baselineValue } };
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
