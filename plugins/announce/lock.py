"""One announce run at a time: a lock held for the whole run, released by the system
when the process ends, however it ends (so a crash never leaves it stuck)."""

import fcntl
import os
import time
from contextlib import contextmanager


class Busy(RuntimeError):
    """Another run holds the lock; the message says which and what to do."""


@contextmanager
def run_lock(state_dir: str, command: str):
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, "announce.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another run"
            raise Busy(
                f"another announce run is in progress ({holder}), so this one sends nothing: "
                "the two would announce the same posts. Fix: wait for it to finish, then run "
                "this again if you still need to."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(
            fd, f"`{command}`, process {os.getpid()}, since {time.strftime('%H:%M:%S')}".encode(), 0
        )
        yield
    finally:
        os.close(fd)  # closing releases the lock
