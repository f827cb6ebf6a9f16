"""python -m newsletter summary|preview (show.py) or send|retry (cli.py)."""

import sys

from . import cli, show

if len(sys.argv) > 1 and sys.argv[1] in show.COMMANDS:
    sys.exit(show.main())
sys.exit(cli.main())
