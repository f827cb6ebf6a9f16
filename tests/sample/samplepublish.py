"""Production settings for the frozen sample site: the kit's publishconf.py, with the
sample library's identity and paths as in sampleconf.py."""

import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parent)]
# The kit's settings first, then the sample's identity and folders over them.
# isort: off
from publishconf import *  # noqa: E402,F403
from sample_library import *  # noqa: E402,F403
from sampleconf import PATH, PLUGIN_PATHS, THEME  # noqa: E402,F401
# isort: on
