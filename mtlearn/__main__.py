"""Command line entry point: ``python -m mtlearn``."""

import sys

from mtlearn._cli.main import main

if __name__ == "__main__":
    sys.exit(main())
