"""Production settings for the frozen sample site: the kit's publishconf.py, with the
sample library's identity and paths as in sampleconf.py."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KIT = HERE.parents[1]
sys.path[:0] = [str(KIT), str(HERE)]
# The kit's settings first, then the sample's identity over them.
# isort: off
from publishconf import *  # noqa: E402,F403
from sample_library import *  # noqa: E402,F403
# isort: on

PATH = str(HERE / "content")
THEME = str(KIT / "theme")
PLUGIN_PATHS = [str(KIT / "plugins")]
