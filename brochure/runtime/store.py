"""What is kept between builds, in a folder the command line names ($XDG_CACHE_HOME/brochure or ~/.cache/brochure).

``Store`` holds entries of bytes by (kind, key).  The caller's key is a digest of
every input that affects the value.  A writer is handed ``store.coded(module)``:
the same store, with a digest of the code that makes the values mixed into every
key -- the source of ``module`` and of every module of the package it imports,
followed through their imports (``code_digest``, read as files, nothing
imported).  So changed code never reads old results, and no version number is
ever typed.  Each entry is written whole or
not at all, with a sha256 of its payload in front; a read checks it, and an
entry that does not match (truncated, damaged, tampered) is deleted and treated
as absent.  Nothing is pickled: callers hand over bytes (JSON, marshal of plain
data, file contents).

The folders are made 0700 and the files 0600.  A cache folder not owned by this
user, or writable by group or others, is not used: the store is then kept in
memory only, and the build works as it would from an empty cache.  A full,
read-only or missing disk never raises either.  ``Store(None)`` is memory-only.

Fonts keep their own folder of converted faces (``folder("fonts")``), made and
checked the same way.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path

from brochure.runtime.files import read_regular

PACKAGE = Path(__file__).resolve().parent.parent
MAGIC = b"BRS2"


def module_file(name: str, package: Path = PACKAGE) -> Path | None:
    """The source file of module ``name`` of the package (``brochure.text.layout``), None if it has none."""
    parts = name.split(".")
    if parts[0] != package.name:
        return None
    base = package.joinpath(*parts[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


_FROM = re.compile(rb"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)", re.M)
_IMPORT = re.compile(rb"^[ \t]*import[ \t]+([\w., \t]+)", re.M)


def _imported(source: bytes, name: str, is_package: bool, package: Path) -> set[str]:
    """The package modules ``source`` (of module ``name``) imports, absolutely or relatively, at any depth.

    Read with two patterns rather than parsed (ten times faster); an import inside a
    string counts too, which only ever adds a module to the digest.
    """
    here = name.split(".") if is_package else name.split(".")[:-1]
    found = set()
    for dots, module, names in _FROM.findall(source):
        module = module.decode()
        base = ".".join(here[:len(here) - len(dots) + 1] + ([module] if module else [])) if dots else module
        found.add(base)
        for n in names.decode().strip("()").replace("\n", ",").split(","):
            n = n.split()[0] if n.split() else ""
            if n.isidentifier():
                found.add(f"{base}.{n}")                   # a submodule, when it is one
    for names in _IMPORT.findall(source):
        found.update(n.split()[0] for n in names.decode().split(",") if n.split())
    return {m for m in found if m.split(".")[0] == package.name and module_file(m, package) is not None}


def source_digest(parts, package: Path = PACKAGE) -> str:
    """A digest of the source files named by ``parts`` (files or folders under ``package``, read as files,
    nothing imported): for code whose reach is a folder rather than one module's imports."""
    h = hashlib.sha256()
    for part in parts:
        base = package / part
        files = sorted(base.rglob("*.py")) if base.is_dir() else [p for p in (base, base.with_suffix(".py"))
                                                                 if p.suffix == ".py" and p.is_file()]
        for path in files:
            with contextlib.suppress(OSError):
                h.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def source_stamp(package: Path = PACKAGE) -> str:
    """A digest of every source file's name, size and modification time in the package: it changes
    whenever a file is edited, added or removed (the code digests kept under it are then made again)."""
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            st = path.stat()
            h.update(f"{path.relative_to(package)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def code_digest(name: str, package: Path = PACKAGE, read: dict | None = None) -> str:
    """A digest of the source of module ``name`` and of every package module it imports, followed through
    their imports (read as files, nothing imported): it changes whenever code that can change its results does.
    ``read`` (module -> (source, imports)) keeps what was read for the next digest of the same process."""
    read = {} if read is None else read
    seen, todo, sources = set(), [name], {}
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        if module not in read:
            path = module_file(module, package)
            try:
                source = path.read_bytes() if path is not None else None
            except OSError:
                source = None
            read[module] = (source, _imported(source, module, path.name == "__init__.py", package)
                            if source is not None else set())
        source, imports = read[module]
        if source is None:
            continue
        sources[module] = source
        todo.extend(imports - seen)
    h = hashlib.sha256()
    for module in sorted(sources):
        h.update(module.encode() + b"\0" + sources[module] + b"\0")
    return h.hexdigest()


def trusted(folder: Path) -> bool:
    """Whether ``folder`` is a real folder of this user's that nobody else may write to."""
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    return (stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()
            and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def private_folder(folder: Path) -> Path | None:
    """``folder``, created 0700 if missing; None if it cannot be made or is not to be trusted."""
    with contextlib.suppress(OSError):
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    return folder if trusted(folder) else None


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` as a 0600 file, via a temporary name, so no reader ever sees half of it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):      # the first failure (or an interrupt) is what is raised
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(lock_path: Path):
    """An exclusive advisory lock (where the platform has one); never fails for want of it."""
    try:
        import fcntl
    except ImportError:          # pragma: no cover - not on POSIX
        yield
        return
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)             # closing releases the lock


def _seal(name: str, payload: bytes) -> bytes:
    """What an entry's header holds: a digest of its own name (kind, code and key) and its bytes.

    A truncated or altered payload fails it, and so does a whole entry copied
    over another's name: an entry is only ever read for the key it was written for.
    """
    return hashlib.sha256(name.encode() + b"\0" + payload).digest()


class Store:
    """Verified entries of bytes on disk under ``root`` (None: in this process's memory only)."""

    def __init__(self, root: Path | None = None, *, code: dict[str, str] | None = None):
        self.root = private_folder(Path(root)) if root is not None else None
        self.code = dict(code or {})             # kind -> a code digest to mix in as well (an experiment's stand-in)
        self.memory: dict[tuple[str, str], bytes] = {}
        self._scratch: tempfile.TemporaryDirectory | None = None
        self._digests: dict[str, str] = {}       # module -> code_digest, computed once per store
        self._read: dict[str, tuple] = {}         # module -> (source, imports), shared by those digests

    def coded(self, module: str) -> "Coded":
        """This store as the code of ``module`` (a dotted name) writes it: every key mixed with
        ``code_digest(module)``, so entries made by other code are never read.

        The digests are kept in the store under the package's file stamp (every source file's name, size
        and modification time), so a process whose code has not changed does not read the sources again."""
        if module not in self._digests:
            stamp = source_stamp()
            kept = self.get("code", f"{stamp}:{module}")
            digest = kept.decode("ascii", "replace") if kept is not None else ""
            if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
                digest = code_digest(module, read=self._read)
                self.put("code", f"{stamp}:{module}", digest.encode("ascii"))
            self._digests[module] = digest
        return Coded(self, self._digests[module])

    def _path(self, kind: str, key: str) -> Path | None:
        folder = self.folder(kind, scratch=False)
        if folder is None:
            return None
        name = hashlib.sha256(f"{self.code.get(kind, '')}:{key}".encode()).hexdigest()
        return folder / f"{name}.entry"

    def folder(self, kind: str, *, scratch: bool = True) -> Path | None:
        """The private folder of ``kind``; for a memory-only store a temporary one (or None, ``scratch=False``)."""
        if self.root is not None:
            found = private_folder(self.root / kind)
            if found is not None:
                return found
        if not scratch:
            return None
        if self._scratch is None:
            try:
                self._scratch = tempfile.TemporaryDirectory(prefix="brochure-cache-")
            except OSError:                      # the temporary folder is full or missing too
                return None
        return private_folder(Path(self._scratch.name) / kind)

    def get(self, kind: str, key: str) -> bytes | None:
        path = self._path(kind, key)
        if path is None:
            return self.memory.get((kind, key))
        try:
            data = read_regular(path)
        except OSError:
            return self.memory.get((kind, key))
        head, payload = data[:len(MAGIC) + 32], data[len(MAGIC) + 32:]
        if head != MAGIC + _seal(path.name, payload):
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return payload

    def put(self, kind: str, key: str, data: bytes) -> None:
        data = bytes(data)
        path = self._path(kind, key)
        if path is None:
            self.memory[(kind, key)] = data
            return
        try:
            write_atomic(path, MAGIC + _seal(path.name, data) + data)
        except OSError:                          # a full or read-only disk: kept for this build, in memory
            self.memory[(kind, key)] = data


class Coded:
    """A store as one module's code writes it (``Store.coded``): the same entries, each key mixed with its code's digest."""

    def __init__(self, store: Store, digest: str):
        self.store, self.digest = store, digest

    def get(self, kind: str, key: str) -> bytes | None:
        return self.store.get(kind, f"{self.digest}:{key}")

    def put(self, kind: str, key: str, data: bytes) -> None:
        self.store.put(kind, f"{self.digest}:{key}", data)

    def folder(self, kind: str, *, scratch: bool = True) -> Path | None:
        return self.store.folder(kind, scratch=scratch)
