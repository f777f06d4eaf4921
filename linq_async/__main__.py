"""``python -m linq_async``: the command line (see ``linq_async.cli``)."""

import sys

from .cli import main

sys.exit(main())
