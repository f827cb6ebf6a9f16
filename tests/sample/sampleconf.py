"""Settings for building the frozen sample site (tests/sample/content) in the tests.

The kit's own pelicanconf.py, with the sample library's identity put back and the paths
pointed at this folder, so a library's own content and settings never change a test.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
KIT = HERE.parents[1]
sys.path[:0] = [str(KIT), str(HERE)]
# The kit's settings first, then the sample's identity over them.
# isort: off
from pelicanconf import *  # noqa: E402,F403
from sample_library import *  # noqa: E402,F403
# isort: on

PATH = str(HERE / "content")
THEME = str(KIT / "theme")
PLUGIN_PATHS = [str(KIT / "plugins")]
