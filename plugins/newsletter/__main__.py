"""python -m newsletter summary|preview (show.py) or send|retry (cli.py).

The sending half (cli.py: the SMTP, DKIM, listmonk and hand-off modules) is imported
only for send and retry: `make newsletter` and `make newsletter-preview` never load it.
"""

import sys

from . import show

if len(sys.argv) > 1 and sys.argv[1] in show.COMMANDS:
    sys.exit(show.main())

from . import cli  # noqa: E402

sys.exit(cli.main())
