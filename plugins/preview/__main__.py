"""`make serve`: `python -m preview` with Pelican's own arguments builds the site,
serves it with --listen, and builds it again after every change (--autoreload is
implied and may be left out)."""

import logging
import signal
import sys

from pelican import LOG_HANDLERS, parse_arguments
from pelican.log import init as init_logging

from .loop import Preview
from .server import Server, Stopped

logger = logging.getLogger("preview")


def interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    # Stopped by a process manager (SIGTERM) as by Ctrl-C: the watchers and the web
    # server stop too, and a rebuild in progress lets go of the output folder.
    signal.signal(signal.SIGTERM, interrupt)
    # Ctrl-C stops the preview even when it was started with SIGINT ignored (from a
    # script run in the background, or a test runner that ignores it): Python leaves an
    # inherited "ignore" in place, and the preview would then never stop.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    args = parse_arguments(argv)
    init_logging(
        level=args.verbosity,
        fatal=args.fatal,
        name="pelican",
        handler=LOG_HANDLERS[args.log_handler],
        logs_dedup_min_level=getattr(logging, args.logs_dedup_min_level),
    )
    server = preview = None
    try:
        preview = Preview(args)
        if args.listen:
            settings = preview.settings
            server = Server(settings.get("BIND"), settings.get("PORT"), settings["OUTPUT_PATH"])
            server.start()  # before any thread: the server process is forked
            preview.server = server
        preview.run()
    except KeyboardInterrupt:
        logger.warning("Keyboard interrupt received. Exiting.")
        return 0
    except Stopped as err:
        logger.critical("%s", err)
        return 1
    except Exception as err:
        logger.critical("%s: %s", type(err).__name__, err, exc_info=True)
        return getattr(err, "exitcode", 1)
    finally:
        if preview is not None:
            preview.stop()
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
