"""``python -m analysis``: the command line (see analysis.cli)."""

import sys

from analysis.cli import main

if __name__ == "__main__":
    sys.exit(main())
