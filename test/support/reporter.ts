import Mocha from "mocha";
import { summaryLine } from "./summary";

/**
 * Mocha's spec reporter, followed by one last line with the run's totals, so that the end of a CI
 * log says at a glance how the run went. Registered after Spec's own end listener, so it prints last.
 */
class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const stats = runner.stats ?? this.stats;
      process.stdout.write(`${summaryLine(stats)}\n`);
    });
  }
}

export = SummaryReporter;
