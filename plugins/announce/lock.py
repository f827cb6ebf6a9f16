"""One announce run at a time: a lock held for the whole run, released by the system
when the process ends, however it ends (so a crash never leaves it stuck)."""

import fcntl
import os
import time
from contextlib import contextmanager

# What two runs at once would do, for the message.
DOUBLE = {
    "announce": "announce the same posts",
    "listen": "record the same replies twice",
    "newsletter": "send the same edition to the same readers",
}


class Busy(RuntimeError):
    """Another run holds the lock; the message says which and what to do."""


@contextmanager
def run_lock(state_dir: str, command: str, name: str = "announce"):
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, f"{name}.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another run"
            raise Busy(
                f"another {name} run is in progress ({holder}), so this one does nothing: "
                f"the two would {DOUBLE[name]}. Fix: wait for it to finish, then run "
                "this again if you still need to."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(
            fd, f"`{command}`, process {os.getpid()}, since {time.strftime('%H:%M:%S')}".encode(), 0
        )
        yield
    finally:
        os.close(fd)  # closing releases the lock
