"""`python -m schedscrape` is the `schedscrape` command."""

import sys

from schedscrape.cli import main

if __name__ == "__main__":
    sys.exit(main())
