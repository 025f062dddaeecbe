"""The ``brochure`` command (``python -m brochure`` and the installed script).

Ctrl-C while the program is still starting (before ``run`` answers it) ends it
quietly with status 130 and one short line, never a traceback from an import.
"""
import os
import signal


def _starting(signum, frame):
    os.write(2, "已中断。 / interrupted.\n".encode("utf-8"))
    os._exit(130)


def main() -> None:
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _starting)
    from brochure.cli import run

    run()


if __name__ == "__main__":
    main()
