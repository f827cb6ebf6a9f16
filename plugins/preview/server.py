"""The preview's web server: Pelican's own (`listen`), in a process of its own, as
`pelican --listen --autoreload` runs it.

A process rather than a thread: the parallel plugin forks worker processes during each
build, and a fork while a server thread is writing a request to the console would
leave the worker waiting for the console's lock forever. The server process is forked
before the preview starts any thread.
"""

import multiprocessing
import queue

from pelican import listen


class Stopped(Exception):
    """The preview cannot go on (the message says why and what to do)."""


class Server:
    def __init__(self, bind, port, output):
        self.bind, self.port = bind, port
        context = multiprocessing.get_context("fork")
        self.errors = context.Queue()
        self.process = context.Process(
            target=listen, args=(bind, port, output, self.errors), name="preview-server",
            daemon=True,
        )  # fmt: skip

    def start(self):
        self.process.start()

    def check(self):
        """Raise Stopped if the server has stopped (it cannot listen on the port)."""
        if self.process.is_alive():
            return
        try:
            why = str(self.errors.get(timeout=1)).strip()
        except queue.Empty:
            why = f"exit code {self.process.exitcode}"
        raise Stopped(
            f"The preview's web server on {self.bind}:{self.port} stopped ({why}). Fix: if "
            "another program (another `make serve`?) uses that port, stop it or choose "
            "another port: `make serve PORT=8080`."
        )

    def stop(self):
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5)
