"""`python -m schedscrape` is the `schedscrape` command."""

import sys

from schedscrape.cli import console

if __name__ == "__main__":
    sys.exit(console())
