"""The file EMR Serverless runs (`entryPoint`); the code is in cdc_jobs.zip (`--py-files`)."""

import sys

from cdc_jobs.main import main

if __name__ == "__main__":
    sys.exit(main())
