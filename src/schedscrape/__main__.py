"""`python -m schedscrape` is the `schedscrape` command."""

import sys

from schedscrape.cli import main

sys.exit(main())
