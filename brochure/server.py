"""The build server: ``brochure build`` answered by a process that stays warm between commands.

A one-shot build spends most of its time before and after the work: starting
Python, importing ReportLab, pikepdf and Pillow, reading fonts, and (for what did
not change) finishing and preflighting the same PDF again.  Build tools with the
same problem (Gradle's daemon, mypy's dmypy) keep one process per user that the
command hands its work to; so does this one.

* ``brochure build`` first asks the server (``request``).  If there is none, it
  builds in its own process as before and then starts one (``start``) for the
  next build.  ``BROCHURE_SERVER=0`` turns both off.
* The server lives in a private folder (``$XDG_RUNTIME_DIR`` or the temporary
  folder, ``brochure-<uid>``, mode 0700), answers only its own user (checked with
  SO_PEERCRED), builds one request at a time, and ends after
  ``BROCHURE_SERVER_IDLE`` seconds without work (default 15 minutes), when its
  code or libraries change on disk, after an interrupted or failed build, and on
  ``brochure server stop``.
* A build in the server is the same build: the same messages on the caller's
  terminal, the same exit status, the same bytes in out/.  It keeps each output's
  last render the way ``brochure watch`` does (``brochure.build.Memory``), so an
  output whose render did not change is left as it is in out/ ("unchanged").
* Ctrl-C, SIGTERM or the caller going away interrupts the build in the server,
  which removes its temporary files and leaves out/ as it was.

The caller's side is kept light (standard library only): it is what runs in the
fresh process of every ``brochure build``.
"""
from __future__ import annotations

import _socket
import os
import struct
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:                             # (typing itself is not imported: the caller starts light)
    from pathlib import Path

#: What a build stopped by Ctrl-C or SIGTERM says, wherever it was running.
INTERRUPTED = "已中断，out/ 中原有的 PDF 未被改动。 / interrupted; the PDFs in out/ are unchanged."
#: Seconds without a request after which the server ends.
IDLE = 15 * 60
#: Preflight's page readings kept in memory before they are dropped (a few per edit are added).
_PAGES_KEPT = 2000
#: Environment that decides which server a caller may use: a server is started with these.
_SERVER_ENV = ("XDG_CACHE_HOME", "HOME", "FONTCONFIG_FILE", "FONTCONFIG_PATH", "PATH", "PYTHONPATH")
#: Environment passed with every request (it may differ from one build to the next).
_REQUEST_ENV = ("SOURCE_DATE_EPOCH", "BROCHURE_JOBS")

# frames from the server: a kind byte, a length, the data
_OUT, _ERR, _EXIT, _STALE = b"o", b"e", b"x", b"s"
# from the caller, after its request
_CANCEL = b"c"


def enabled() -> bool:
    return os.environ.get("BROCHURE_SERVER", "1").strip().lower() not in ("0", "off", "no", "false") \
        and hasattr(_socket, "AF_UNIX") and hasattr(_socket, "SO_PEERCRED") and hasattr(os, "fork")


def _folder() -> str | None:
    """The private folder of this user's servers; None if it is not private (then no server is used)."""
    import stat

    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    folder = os.path.join(base, f"brochure-{os.getuid()}")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    try:
        st = os.lstat(folder)
    except OSError:
        return None
    if not (stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and st.st_mode & 0o077 == 0):
        return None                 # a symbolic link, someone else's, or open to others: not used
    return folder


def address() -> str | None:
    """The socket of the server for this Python, this package and this environment."""
    import zlib

    folder = _folder()
    if folder is None:
        return None
    who = repr((sys.executable, os.path.dirname(os.path.realpath(__file__)), [os.environ.get(k) for k in _SERVER_ENV]))
    return os.path.join(folder, f"{zlib.crc32(who.encode()):08x}.sock")


def _lock_path(path: str) -> str:
    return path[: -len(".sock")] + ".lock"


# --- framing ------------------------------------------------------------------------

def _frame(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack(">I", len(data)) + data


def _read_exact(conn, n: int) -> bytes:
    chunks = []
    while n:
        chunk = conn.recv(n)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _read_frame(conn) -> tuple[bytes, bytes]:
    head = _read_exact(conn, 5)
    return head[:1], _read_exact(conn, struct.unpack(">I", head[1:])[0])


# --- the caller's side -----------------------------------------------------------------

def request(argv: list[str], *, message: dict | None = None) -> int | None:
    """Have the server run ``brochure <argv>``: its exit status, or None when no server answered
    before anything was done (then the caller builds itself)."""
    if not enabled():
        return None
    path = address()
    if path is None:
        return None
    conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        return None
    import marshal                            # standard types only, and no import cost (pickle: ~10 ms)

    ask = message if message is not None else {
        "argv": list(argv), "cwd": os.getcwd(),
        "env": {k: os.environ[k] for k in _REQUEST_ENV if k in os.environ},
        "tty": (_isatty(sys.stdout), _isatty(sys.stderr)),
    }
    try:
        conn.sendall(_frame(b"r", marshal.dumps(ask)))
    except OSError:
        conn.close()
        return None
    said = False
    cancelled = False
    while True:
        try:
            try:
                kind, data = _read_frame(conn)
            except (EOFError, OSError):
                conn.close()
                if cancelled:                 # Ctrl-C, and then the server ended: nothing more to do
                    print(INTERRUPTED, file=sys.stderr)
                    return 130
                if not said:
                    return None               # it ended before doing anything: build here
                print("错误 error: 生成服务意外退出，请再运行一次 brochure build。 / "
                      "the build server stopped unexpectedly; run brochure build again.", file=sys.stderr)
                return 1
            if kind == _STALE:
                conn.close()
                return None
            if kind == _EXIT:
                conn.close()
                return int(data) if data.isdigit() else 1
            said = True
            stream = sys.stdout if kind == _OUT else sys.stderr
            stream.write(data.decode("utf-8", "replace"))
            stream.flush()
        except KeyboardInterrupt:             # Ctrl-C: the server stops the build and says so
            if cancelled:                     # a second one: stop waiting
                conn.close()
                return 130
            cancelled = True
            try:
                conn.sendall(_CANCEL)
            except OSError:
                pass


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def start(argv: list[str]) -> None:
    """Start a server in the background for the builds after this one (if none is running)."""
    if not enabled() or os.environ.get("BROCHURE_SERVER_CHILD"):
        return
    path = address()
    if path is None:
        return
    import json
    import subprocess

    warm = {"argv": list(argv), "cwd": os.getcwd(), "env": {k: os.environ[k] for k in _REQUEST_ENV if k in os.environ}}
    try:
        subprocess.Popen([sys.executable, "-m", "brochure.server", path, json.dumps(warm)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True, close_fds=True)
    except OSError:
        pass                                  # no server: the next build is an ordinary one


def stop() -> bool:
    """Ask this environment's server to end; True if one was running."""
    return request([], message={"stop": True}) is not None


def status() -> int | None:
    """The process id of this environment's server, if one answers."""
    if request([], message={"ping": True}) is None:
        return None
    path = address()
    try:
        with open(_lock_path(path), encoding="ascii") as f:
            return int(f.read().strip())
    except (OSError, ValueError, TypeError):
        return None


# --- the server's side -----------------------------------------------------------------

class _Stream:
    """``sys.stdout`` / ``sys.stderr`` of a request: what is written goes to the caller's terminal."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, conn, kind: bytes, tty: bool):
        self.conn, self.kind, self.tty = conn, kind, tty

    def write(self, text: str) -> int:
        if text and self.conn is not None:
            try:
                self.conn.sendall(_frame(self.kind, text.encode("utf-8", "replace")))
            except OSError:
                self.conn = None              # the caller has gone; the watcher interrupts the build
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self.tty

    def fileno(self) -> int:
        raise OSError("not a file")


class Server:
    def __init__(self, path: Path, idle: float):
        import threading

        self.path, self.idle = path, idle
        self.memories: dict[tuple, object] = {}
        self.active = False                   # a request is being run: SIGINT interrupts it
        self.lock = threading.Lock()
        self.code: dict[str, tuple[int, int]] = {}
        self.sock = None                      # the listening socket
        self.pages = None                     # preflight's page readings, shared by every output
        self.last = 0.0                       # when the last build ended (monotonic)

    # -- life --
    def run(self, warm: dict | None) -> None:
        import contextlib
        import fcntl
        import signal
        import socket

        import time

        lock = open(_lock_path(str(self.path)), "a+")
        for _ in range(50):                   # a server that has just been told to end may still be closing
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                time.sleep(0.1)
        else:
            return                            # another server is running here
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        signal.signal(signal.SIGINT, self._interrupt)
        signal.signal(signal.SIGTERM, self._terminate)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        try:
            self._warm(warm)
            self.code = _code_state()
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(str(self.path))
            os.chmod(self.path, 0o600)
            self.sock.listen(8)
            from brochure.build import _Worker

            _Worker._ends.update((self.sock, lock))   # processes forked for outputs do not keep them open
            self._loop()
        except _Stop:
            pass
        finally:
            self._close()
            with contextlib.suppress(OSError):
                if self.sock is not None:
                    self.path.unlink()
            lock.close()

    def _loop(self) -> None:
        import time

        self.last = time.monotonic()
        while True:
            wait = self.last + self.idle - time.monotonic()
            if wait <= 0:
                return                        # idle long enough (asking whether it runs is not work)
            self.sock.settimeout(wait)
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(None)
                if not self._same_user(conn):
                    continue
                if not self._serve(conn):
                    return

    def _warm(self, warm: dict | None) -> None:
        """Import what a build needs and make the build that started this server once, into a
        private folder (out/ is not touched): fonts, paragraphs and photos are then in memory."""
        import shutil
        import tempfile
        from pathlib import Path

        from brochure import build as b
        from brochure.cache import Kept

        self.pages = Kept(None)
        if not warm:
            return
        args = _parse(warm.get("argv") or ["build"])
        if args is None or args.command != "build":
            return
        scratch = Path(tempfile.mkdtemp(prefix="warm-", dir=self.path.parent))
        memory = b.Memory(pages=self.pages)
        try:
            os.chdir(warm.get("cwd") or "/")
            _set_env(warm.get("env") or {})
            b.build(Path(args.path), scratch, only=args.only, memory=memory, jobs=1, log=_nothing)
        except Exception:                     # noqa: BLE001 (the real request will report it)
            pass
        finally:
            memory.close()
            shutil.rmtree(scratch, ignore_errors=True)
            os.chdir("/")

    def _close(self) -> None:
        for memory in self.memories.values():
            memory.close()
        self.memories.clear()
        _save_layout()

    # -- one request --
    def _same_user(self, conn) -> bool:
        import socket

        try:
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        except (OSError, AttributeError):
            return False
        _pid, uid, _gid = struct.unpack("3i", creds)
        return uid == os.getuid()

    def _serve(self, conn) -> bool:
        """Answer one request; False when the server should end."""
        import contextlib
        import marshal
        import socket
        import threading

        if _code_changed(self.code):          # updated on disk (whatever the caller says, in whatever form)
            _send(conn, _STALE)               # the caller runs it itself and starts a new server
            return False
        try:
            kind, data = _read_frame(conn)
            ask = marshal.loads(data)
        except (EOFError, OSError, ValueError, TypeError):
            ask = None
        if not isinstance(ask, dict):
            _send(conn, _STALE)
            return True
        if ask.get("stop"):
            _send(conn, _EXIT, b"0")
            return False
        if ask.get("ping"):
            _send(conn, _EXIT, b"0")
            return True
        import time

        self.last = time.monotonic()
        argv = ask.get("argv") or []
        if argv[:1] != ["build"]:
            _send(conn, _STALE)
            return True
        tty = ask.get("tty") or (False, False)
        out, err = _Stream(conn, _OUT, tty[0]), _Stream(conn, _ERR, tty[1])
        saved = sys.stdout, sys.stderr
        done = threading.Event()
        cancelled = threading.Event()
        main = threading.main_thread().ident

        def watch_caller() -> None:
            """Ctrl-C at the caller, or the caller gone: interrupt the build."""
            try:
                got = conn.recv(1)
            except OSError:
                got = b""
            with self.lock:
                if not done.is_set():
                    cancelled.set()
                    import signal

                    signal.pthread_kill(main, signal.SIGINT)
            del got

        from brochure.build import _Worker

        try:
            os.chdir(ask.get("cwd") or "/")
        except OSError:                       # its folder is gone: let the caller say so itself
            _send(conn, _STALE)
            return True
        keep = True
        code = 1
        _Worker._ends.add(conn)
        try:
            _set_env(ask.get("env") or {})
            sys.stdout, sys.stderr = out, err
            with self.lock:
                self.active = True
            threading.Thread(target=watch_caller, daemon=True).start()
            from brochure import cli

            code = cli.main(argv, memory_for=self._memory)
            if code == 130 or cancelled.is_set():
                keep = False                  # interrupted somewhere: start afresh next time
        except KeyboardInterrupt:
            print(INTERRUPTED, file=err)
            code, keep = 130, False
        except SystemExit as exc:             # argparse: --help, a usage error
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        except BaseException:                 # noqa: BLE001 (a fault of the program: tell the caller, then end)
            import traceback

            err.write(traceback.format_exc())
            code, keep = 1, False
        finally:
            with self.lock:
                self.active = False
                done.set()
            sys.stdout, sys.stderr = saved
            os.chdir("/")
        _send(conn, _EXIT, str(int(code)).encode())
        self.last = time.monotonic()
        _Worker._ends.discard(conn)
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)   # wakes the watcher
        _save_layout()                        # after the answer: the caller does not wait for it
        if self.pages is not None and len(self.pages) > _PAGES_KEPT:
            self.pages.clear()                # readings of pages long since changed
        return keep

    def _memory(self, args):
        """The kept renders for this content file, output folder and selection (a few, most recent)."""
        from pathlib import Path

        from brochure.build import Memory

        key = (str(Path(args.path).absolute()), str(Path(args.out).absolute()) if args.out else None, args.only,
               os.environ.get("SOURCE_DATE_EPOCH"), os.environ.get("BROCHURE_JOBS"))
        memory = self.memories.pop(key, None)
        if memory is None:
            memory = Memory(pages=self.pages)
            while len(self.memories) >= 4:
                self.memories.pop(next(iter(self.memories))).close()
        self.memories[key] = memory
        return memory

    # -- signals --
    def _interrupt(self, signum, frame) -> None:
        if self.active:
            raise KeyboardInterrupt

    def _terminate(self, signum, frame) -> None:
        if self.active:
            raise KeyboardInterrupt
        raise _Stop


class _Stop(Exception):
    pass


def _send(conn, kind: bytes, data: bytes = b"") -> None:
    """One frame to the caller; a caller that has gone is not an error here."""
    try:
        conn.sendall(_frame(kind, data))
    except OSError:
        pass


def _parse(argv: list[str]):
    from brochure.cli import _parser

    try:
        return _parser().parse_args(argv)
    except SystemExit:
        return None


def _set_env(env: dict) -> None:
    for k in _REQUEST_ENV:
        if k in env:
            os.environ[k] = env[k]
        else:
            os.environ.pop(k, None)


def _nothing(*_a, **_k) -> None:
    pass


def _save_layout() -> None:
    from brochure.text import layout

    layout.save_store()


def _code_state() -> dict[str, tuple[int, int] | None]:
    """Size and modification time of every module file loaded: a change means an update on disk."""
    return {f: _stat(f) for f in {getattr(m, "__file__", None) for m in list(sys.modules.values())} if f}


def _code_changed(state: dict[str, tuple[int, int] | None]) -> bool:
    return any(_stat(f) != known for f, known in state.items())


def _stat(f: str) -> tuple[int, int] | None:
    try:
        st = os.stat(f)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def idle_seconds() -> float:
    """How long the server waits for work before it ends: $BROCHURE_SERVER_IDLE, else ``IDLE``."""
    try:
        return max(1.0, float(os.environ.get("BROCHURE_SERVER_IDLE", IDLE)))
    except ValueError:
        return float(IDLE)


def main(argv: list[str]) -> None:
    import json
    from pathlib import Path

    os.environ["BROCHURE_SERVER_CHILD"] = "1"
    os.chdir("/")
    Server(Path(argv[0]), idle_seconds()).run(json.loads(argv[1]) if len(argv) > 1 else None)
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
