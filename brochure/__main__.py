"""The ``brochure`` command (``python -m brochure`` and the installed script).

Ctrl-C while the program is still starting (before ``run`` answers it) ends it
quietly with status 130 and one short line, never a traceback from an import.
The handler is set with ``_signal``, the interpreter's built-in module: importing
``signal`` itself takes milliseconds (its enums), long enough for a Ctrl-C.
"""
import _signal
import os


def _starting(signum, frame):
    os.write(2, "已中断。 / interrupted.\n".encode("utf-8"))
    os._exit(130)


def main() -> None:
    if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
        _signal.signal(_signal.SIGINT, _starting)
    from brochure.cli import run

    run()


if __name__ == "__main__":
    main()
