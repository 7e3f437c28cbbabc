/** npm run test:glue-jobs [-- pytest args]: the Spark job tests (needs `npm run stack:up` for the S3 test). */
import { runGlueJobTests } from './pytest';

runGlueJobTests(process.argv.slice(2)).then((code) => process.exit(code));
