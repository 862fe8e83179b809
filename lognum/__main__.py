"""``python -m lognum`` = the ``lognum`` command."""

import sys

from lognum.cli import main

sys.exit(main())
