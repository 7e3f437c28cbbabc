/**
 * Jest's own order (failed first, then slowest by its timing cache, then largest file), except that
 * the integration files known to take minutes start first: on a fresh clone there is no timing
 * cache, and the Spark end-to-end file started last would make the parallel run wait for it alone.
 */
const Sequencer = require('@jest/test-sequencer').default;

const SLOW_FIRST = ['tests/integration/spark-jobs.test.ts'];

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const i = SLOW_FIRST.findIndex((file) => test.path.endsWith(file));
      return i === -1 ? SLOW_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the rest keep Jest's order.
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowFirstSequencer;
