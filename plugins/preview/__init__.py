"""Preview: `make serve` builds the site, serves it, and builds it again after every
change, with no change ever missed (`python -m preview`, see __main__.py).

Pelican's own autoreload makes a new file watcher after each build, so a file saved
while a build runs, or just after it, is not seen until the next save. Here the
watchers run from before the first build to the end (watch.py) and queue every
change for the build loop (loop.py); the web server is Pelican's own (server.py).
Each rebuild runs in the same process, as with Pelican's autoreload, and takes the
output folder's lock (plugins/incremental/lock.py) like any other build.

It is a command, not a build step: register() adds nothing to a build, and the
package need not be listed in PLUGINS.
"""


def register():
    """Nothing to add to a build: the preview runs builds, it is not part of one."""
