"""One build at a time per output folder.

`make html` while `make serve` is rebuilding would have two builds writing the same
files (one read a resized picture the other was half-way through writing). So each
build holds a lock from its start to its end, however it ends, and a second build
waits for it, saying so. The lock is a file beside the output folder (`.output.lock`
next to `output/`), never inside it, so it is never deployed; it is removed when the
build ends, and the system lets go of it if the process dies. Waiting builds queue at
a second one (`.output.lock.next`), so each gets its turn.

`make serve` (plugins/preview) runs every rebuild in one process: it takes the lock
for each rebuild and lets go after it (a build that raised included), so `make html`
only ever waits for a rebuild in progress, never for `make serve` itself. A build
inside a build of the same process does not wait for itself.
"""

import contextlib
import fcntl
import logging
import os
import sys
import time

from checks.findings import display_path

logger = logging.getLogger(__name__)
_held = set()  # the lock files this process holds


def lock_path(output_path: str) -> str:
    """`site/output` -> `site/.output.lock`."""
    folder = os.path.abspath(output_path)
    return os.path.join(os.path.dirname(folder), f".{os.path.basename(folder)}.lock")


@contextlib.contextmanager
def output_lock(output_path: str):
    path = lock_path(output_path)
    if path in _held:  # this process holds it already
        yield
        return
    said = []
    # Builds queue at a turnstile before taking the lock itself, so that a waiting
    # build gets its turn even when the holder takes the lock again at once (`make
    # serve` starts a build that raised again straight away, until it is fixed).
    turnstile = f"{path}.next"
    queued = _take(turnstile, output_path, path, said)
    try:
        fd = _take(path, output_path, path, said)
    finally:
        _let_go(turnstile, queued)
    _held.add(path)
    try:
        yield
    finally:
        _held.discard(path)
        _let_go(path, fd)


def _take(path: str, output_path: str, lock: str, said: list) -> int | None:
    """Lock the file at `path`, waiting for the build that has it (saying so once)."""
    while True:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            logger.warning("incremental: cannot make the lock file %s (%s), so this build does "
                           "not wait for others writing to %s. Fix: make that folder writable.",
                           path, err.strerror, output_path)  # fmt: skip
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not said:
                    said.append(True)
                    logger.warning("Another build is writing to %s (%s): this one waits for it "
                                   "to finish, then builds.", display_path(output_path),
                                   _holder_of(lock))  # fmt: skip
                fcntl.flock(fd, fcntl.LOCK_EX)
            if _still_there(fd, path):
                os.ftruncate(fd, 0)
                os.pwrite(fd, _holder().encode(), 0)
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the build we waited for removed it as it finished: lock a new one


def _let_go(path: str, fd: int | None):
    """Remove the file while holding it: a build waiting on it then finds it gone and
    locks a new one (see _take), so no two builds ever hold one; then let go."""
    if fd is None:
        return
    with contextlib.suppress(OSError):
        os.unlink(path)
    os.close(fd)


def _still_there(fd: int, path: str) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    own = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)


def _holder_of(lock: str) -> str:
    try:
        with open(lock, encoding="utf-8", errors="replace") as f:
            return f.read(300).strip() or "another build"
    except OSError:
        return "another build"


def _holder() -> str:
    main = getattr(sys.modules.get("__main__"), "__spec__", None)
    if main is not None and main.name.partition(".")[0] == "preview":
        what = "`make serve` (python -m preview)"
    elif "--autoreload" in sys.argv:
        what = "pelican --autoreload"
    else:
        what = "pelican"
    return f"{what}, process {os.getpid()}, building since {time.strftime('%H:%M:%S')}"
