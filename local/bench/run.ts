/** npm run bench: every benchmark of the project, each printed as ratios to a baseline of the same run. */
import { benchSerde } from '../../lib/serde/glue-avro-serde.bench';
import { benchPoller } from './poller';

async function main(): Promise<void> {
  console.log(`cdc-pipeline benchmarks (node ${process.version}, ${process.arch})`);
  await benchSerde();
  await benchPoller();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
