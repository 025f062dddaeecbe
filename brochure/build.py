"""The pipeline, top to bottom: content -> fonts -> text styles -> layout -> render -> press -> out/.

Nothing is written into ``out/`` until it is known to be good, and nothing of
the user's (content.yaml, images/, fonts/) is ever written at all:

* Each output is rendered to a temporary file beside its final name
  (``.NAME.~PID-HOST-TOKEN.RANDOM.raw.pdf`` / ``.pdf.part`` / ``.json.part``: unique per
  process, hidden, never matching ``*.pdf``), finished to PDF/X and preflighted.
* Only when every requested output has passed preflight are they renamed into
  place (``os.replace``, atomic on one file system), each PDF together with its
  ``.preflight.json``.  A failed build, or one stopped with Ctrl-C or SIGTERM,
  leaves every previous PDF in ``out/`` byte for byte as it was and removes its
  own temporary files.
* A build killed outright (SIGKILL, power cut) cannot clean up; the next build
  removes such leftovers: temporary files whose process (named in the file
  name, on this machine) no longer runs, and any older than an hour.  Files of
  a build still running, e.g. a second build of the same folder at the same
  time, are left alone, so two builds at once both finish.
"""
from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import math
import os
import re
import signal
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from brochure.cache import Kept, cache_dir
from brochure.content import load
from brochure.content.model import Content, Press
from brochure.content.yamlnodes import display_path
from brochure.ground.errors import BrochureError, ContentError, FontError, LayoutError, PressError
from brochure.ground import rules
from brochure.ground.boxes import MM, PageBoxes

#: Words the layout itself prints (not from content.yaml); their glyphs are needed too.
LAYOUT_WORDS = "数说十年笔记/备忘▲■　0123456789·"
SLUG_MM = 10.0

#: A temporary file older than this is stale whatever its name says (no build takes an hour).
STALE_AFTER = 3600.0
HOST_TAG = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
TEMP_KINDS = ("raw.pdf", "pdf.part", "json.part")
_TEMP = re.compile(r"^\..+\.~(?P<pid>\d+)-(?P<host>[0-9a-f]{8})(?:-[0-9a-f]+)?\.[A-Za-z0-9_]+\.(raw\.pdf|pdf\.part|json\.part)$")
#: Temporary names of earlier versions (no process id): removed by age only.
_OLD_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.(raw\.pdf|pdf\.part)$")
#: Errors of the output folder itself (full disk, no permission), not of the program.
_DISK_ERRNOS = {errno.ENOSPC, errno.EACCES, errno.EPERM, errno.EROFS, errno.EDQUOT, errno.EFBIG, errno.ENOTDIR}


@dataclass
class Output:
    name: str
    path: Path
    pages: int
    warnings: list = field(default_factory=list)
    preflight: object = None
    unchanged: bool = False          # kept as it was in out/ (brochure watch: the same render)


def boxes_for(width_mm: float, height_mm: float, press: Press) -> PageBoxes:
    return PageBoxes.from_mm(width_mm, height_mm, bleed_mm=press.bleed, slug_mm=SLUG_MM if press.marks else 0.0)


def load_faces(content: Content):
    from brochure.fonts import FontLibrary, check_coverage

    library = FontLibrary(content.root)
    chars = set("".join(content.texts())) | set(LAYOUT_WORDS)
    faces = {}
    for role in ("body", "heading", "display", "caption"):
        spec = getattr(content.fonts, role)
        try:
            faces[role] = library.face(spec.family, spec.style, chars)
        except FontError as exc:
            where = getattr(spec.family, "where", None)
            if exc.where is None and where is not None:   # name the settings line that asked for it
                raise FontError(exc.zh, exc.en, where) from None
            raise
    check_coverage(list(faces.values()), content.texts())
    return faces


def check_qr(content: Content) -> None:
    """The brochure prints its QR code at a fixed size: refuse a URL too long to scan there, at its line."""
    from brochure.layout.brochure import QR_SIZE
    from brochure.draw.qr import MIN_MODULE_MM, qr_modules

    quiet = 4
    url = content.document.online_url

    def module_mm(u: str) -> float:
        try:
            return QR_SIZE / MM / (qr_modules(u, "Q") + 2 * quiet)
        except PressError:
            return 0.0

    got = module_mm(url)
    if got >= MIN_MODULE_MM:
        return
    lo, hi = 0, len(url)            # the longest prefix that still fits: the length to aim for
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if module_mm(url[:mid]) >= MIN_MODULE_MM:
            lo = mid
        else:
            hi = mid - 1
    size = QR_SIZE / MM
    n = len(url.encode("utf-8"))
    raise ContentError(
        f"二维码网址太长（{n} 字节）：印成 {size:.0f} mm 的二维码时每个点只有 {got:.2f} mm（至少要 {MIN_MODULE_MM} mm），"
        f"手机扫不出来。请改用不超过 {lo} 个字符的短网址。",
        f"the QR code URL is too long ({n} bytes): printed as a {size:.0f} mm code its modules would be "
        f"{got:.2f} mm (at least {MIN_MODULE_MM} mm needed), too small to scan. Use a short URL of at most {lo} characters.",
        url.where,
    )


def photo_loader(content: Content, press: Press):
    from PIL import Image

    from brochure.images.prepare import prepare_photo

    from brochure.press.pdfx import output_profile_path

    profile = output_profile_path(press.output_profile)

    def load_photo(photo, width_pt, height_pt):
        where = photo.file_where or photo.where
        if width_pt <= 0 or height_pt <= 0:
            # the layout found no room for the photo (a very small page): say so rather than fail inside Pillow
            raise LayoutError(
                f"照片“{photo.id}”在版面上没有位置（只剩 {max(width_pt, 0) / MM:.0f}×{max(height_pt, 0) / MM:.0f} mm）。"
                "请加大页面或去掉这张照片。",
                f"there is no room for photo '{photo.id}' on the page (only {max(width_pt, 0) / MM:.0f}×"
                f"{max(height_pt, 0) / MM:.0f} mm). Use a larger page or leave the photo out.",
                photo.where,
            )
        try:
            prepared = prepare_photo(photo.file, width_pt, height_pt, fit=photo.fit, focus=photo.focus,
                                     target_ppi=max(300.0, press.min_ppi), min_ppi=press.min_ppi,
                                     profile=profile, cache_dir=cache_dir("images"))
        except PressError as exc:
            if exc.where is None and where is not None:
                raise PressError(exc.zh, exc.en, where) from None
            raise
        ppi = prepared.effective_ppi
        if ppi < press.min_ppi / 2:
            # preflight would refuse the PDF; say it here, at the photo's line, with the size to use
            with Image.open(photo.file) as im:
                w, h = im.size
            factor = press.min_ppi / max(ppi, 1e-6)
            rel = display_path(photo.file) if not photo.file.is_relative_to(content.root) else \
                str(photo.file.relative_to(content.root))
            raise PressError(
                f"照片“{photo.id}”（{rel}）放在 {prepared.draw_w / MM:.0f}×{prepared.draw_h / MM:.0f} mm 的位置上只有 "
                f"{ppi:.0f} ppi，不到要求（{press.min_ppi:.0f} ppi）的一半，印出来会模糊。"
                f"请换用至少 {math.ceil(w * factor)}×{math.ceil(h * factor)} 像素的原图。",
                f"photo '{photo.id}' ({rel}) has only {ppi:.0f} ppi at its placed size "
                f"{prepared.draw_w / MM:.0f}×{prepared.draw_h / MM:.0f} mm, less than half the required "
                f"{press.min_ppi:.0f} ppi; it would print blurred. Use an original of at least "
                f"{math.ceil(w * factor)}×{math.ceil(h * factor)} pixels.",
                where,
            )
        return prepared

    return load_photo


def compositions(content: Content, faces, only: str | None = None):
    """(Composition, Press) for the brochure and each poster, lazily."""
    from brochure.layout.brochure import compose_brochure
    from brochure.layout.styles import brochure_styles

    if only in (None, "brochure"):
        b = content.brochure
        yield compose_brochure(content, brochure_styles(content, faces), photo_loader(content, b.press),
                               boxes_for(b.page.width, b.page.height, b.press)), b.press
    for poster in content.posters:
        if only not in (None, poster.name, f"poster-{poster.name}"):
            continue
        from brochure.layout.poster import compose_poster

        yield compose_poster(content, poster, faces, photo_loader(content, poster.press),
                             boxes_for(poster.page.width, poster.page.height, poster.press)), poster.press


def qr_regions(comp) -> list[tuple[int, tuple[float, float, float, float]]]:
    """Where each QR code was placed: (page index, (x0, y0, x1, y1) in PDF page space)."""
    regions = []
    for n, page in enumerate(comp.pages):
        m = page.boxes.margin
        for item in page.items:
            if item.kind == "qr":
                regions.append((n, (m + item.x, m + item.y, m + item.x + item.w, m + item.y + item.h)))
    return regions


def source_date(content: Content) -> int:
    """The document date: SOURCE_DATE_EPOCH when set, else the newest input's modification time.

    Either way the same inputs give the same bytes.
    """
    return rules.source_date([content.source] + [p.file for p in content.photos.values()], os.environ)


# --- temporary files -----------------------------------------------------------

def build_tag() -> str:
    """What names one build's temporary files: process, machine and a random token."""
    return f"{os.getpid()}-{HOST_TAG}-{os.urandom(3).hex()}"


def temp_file(out_dir: Path, stem: str, kind: str, tag: str | None = None) -> Path:
    """A new, empty, uniquely named hidden file in ``out_dir`` (same file system as the final name)."""
    fd, name = tempfile.mkstemp(prefix=f".{stem}.~{tag or build_tag()}.", suffix=f".{kind}", dir=out_dir)
    os.close(fd)
    return Path(name)


def remove_own_temps(out_dir: Path, tag: str) -> None:
    """Delete every temporary file of the build ``tag`` (also one created just as an interrupt arrived)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(out_dir):
            if f".~{tag}." in entry.name and _TEMP.match(entry.name):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:          # e.g. another user's process: it exists
        return True
    return True


def is_stale(name: str, mtime: float, now: float | None = None) -> bool:
    """Whether ``name`` in out/ is a temporary file no running build will finish."""
    now = time.time() if now is None else now
    m = _TEMP.match(name)
    if m:
        if now - mtime > STALE_AFTER:
            return True
        return m["host"] == HOST_TAG and not _process_alive(int(m["pid"]))
    if _OLD_TEMP.match(name):
        return now - mtime > STALE_AFTER
    return False


def remove_stale_temps(out_dir: Path) -> list[Path]:
    """Delete the temporary files of builds that were killed; returns what was removed."""
    removed = []
    try:
        entries = list(os.scandir(out_dir))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
            continue
        try:
            if is_stale(entry.name, entry.stat(follow_symlinks=False).st_mtime, now):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass            # gone already, or not ours to delete
    return removed


def _disk_error(exc: OSError, out_dir: Path) -> BrochureError:
    return BrochureError(
        f"无法写入输出文件夹 {display_path(out_dir)}（{exc.strerror}）。请检查磁盘空间和写入权限，或用 -o 指定另一个文件夹。"
        "原有的 PDF 未被改动。",
        f"cannot write to the output folder {display_path(out_dir)} ({exc.strerror}). Check free space and "
        "permissions, or choose another folder with -o. The PDFs already there are unchanged.",
    )


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM behaves like Ctrl-C while a build runs, so its temporary files are removed.

    Both raise KeyboardInterrupt, and both are remembered: a library that catches
    everything (ReportLab's file opening does) may turn the interrupt into an error
    of its own, which the build then reports as the interruption it was.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        _INTERRUPTED.set()
        raise KeyboardInterrupt

    _INTERRUPTED.clear()
    try:
        # a signal this process was started to ignore (nohup, a background job) stays ignored
        previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGINT)
                    if signal.getsignal(sig) is not signal.SIG_IGN}
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


#: Set when SIGTERM or SIGINT arrived during the current build.
_INTERRUPTED = threading.Event()


def _as_interrupt(exc: BaseException) -> BaseException:
    """The exception to report: an interrupt that a library turned into an error is still an interrupt."""
    if _INTERRUPTED.is_set() and not isinstance(exc, KeyboardInterrupt):
        interrupted = KeyboardInterrupt()
        interrupted.__cause__ = exc
        return interrupted
    return exc


# --- writing --------------------------------------------------------------------

@dataclass
class _Staged:
    """One output rendered, finished and preflighted, waiting in temporary files to be renamed into place."""

    output: Output
    pdf: Path
    report: Path
    temps: list[Path]
    render_key: str = ""             # what was rendered (see Memory)
    unchanged: bool = False          # the same render as the PDF already in out/: nothing to rename

    def commit(self) -> Output:
        if self.unchanged:
            return self.output
        final = self.output.path
        os.replace(self.pdf, final)
        os.replace(self.report, final.with_name(f"{self.output.name}.preflight.json"))
        return self.output

    def discard(self) -> None:
        for t in self.temps:
            with contextlib.suppress(OSError):
                t.unlink()


@dataclass
class Memory:
    """What ``brochure watch`` keeps between rebuilds: each output's last render, as committed.

    Rendering is deterministic, so an output whose render is byte for byte the one
    behind the PDF in out/ (e.g. every poster, after an edit to a brochure
    paragraph) need not be finished, preflighted and replaced again.  The PDF in
    out/ must still be the one written then (same size and modification time).
    """

    renders: dict[str, tuple[str, tuple[int, int], Output]] = field(default_factory=dict)
    residents: dict[tuple[str, ...], "_Worker"] = field(default_factory=dict, repr=False)
    pages: Kept = field(default_factory=lambda: Kept(None), repr=False)   # preflight's page readings

    def resident(self, names: list[str]) -> "_Worker":
        """The process kept for these outputs (forked now if there is none)."""
        key = tuple(names)
        worker = self.residents.get(key)
        if worker is None or not worker.alive():
            worker = self.residents[key] = _Worker(names)
        return worker

    def keep_only(self, groups: list[list[str]]) -> None:
        """Stop the processes kept for outputs no longer grouped so (a poster added or removed)."""
        wanted = {tuple(g) for g in groups}
        for key in [k for k in self.residents if k not in wanted]:
            self.residents.pop(key).stop()

    def close(self) -> None:
        """Stop the processes kept for this session."""
        for worker in self.residents.values():
            worker.stop()
        self.residents.clear()

    def same(self, name: str, key: str, final: Path) -> Output | None:
        known = self.renders.get(name)
        if known is None or known[0] != key or _stat(final) != known[1]:
            return None
        return known[2]

    def remember(self, staged: "_Staged") -> None:
        stat = _stat(staged.output.path)
        if staged.render_key and stat is not None:
            self.renders[staged.output.name] = (staged.render_key, stat, staged.output)


def _cache_file(kind: str, content: Content, names) -> Path:
    """The file in cache ``kind`` kept for these outputs of this content file."""
    tag = hashlib.sha256(repr((str(content.source), names)).encode("utf-8")).hexdigest()[:20]
    return cache_dir(kind) / f"{tag}.pickle"


def _page_store(content: Content, name: str) -> Kept:
    """Preflight's readings of one output's pages (``preflight._page_key``), kept between one-shot builds
    and valid only for the checking code that made them."""
    return Kept(_cache_file("preflight", content, name), _preflight_version())


@functools.lru_cache(maxsize=1)
def _preflight_version() -> str:
    from brochure.press import preflight

    return hashlib.sha256(Path(preflight.__file__).read_bytes()).hexdigest()[:16]


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _render_key(raw: Path, comp, press: Press, content: Content) -> str:
    """The render's bytes and everything else finishing adds to them (the date excepted)."""
    from brochure.press.pdfx import output_profile_path

    h = hashlib.sha256(raw.read_bytes())
    profile = output_profile_path(press.output_profile)   # the profile file itself may be replaced in place
    h.update(repr((press, comp.title, str(content.document.author), str(content.document.language),
                   [p.boxes for p in comp.pages], comp.qr_urls, str(profile), _stat(profile))).encode())
    return h.hexdigest()


def _stage(comp, press: Press, out_dir: Path, content: Content, font_name: str, tag: str,
           memory: Memory | None = None) -> _Staged:
    from brochure.press.pdfx import finish, output_profile_path
    from brochure.press.preflight import preflight
    from brochure.render.pdf import render

    final = out_dir / f"{comp.name}.pdf"
    staged = _Staged(Output(comp.name, final, len(comp.pages), comp.warnings), Path(), Path(), [])
    try:
        raw = temp_file(out_dir, comp.name, "raw.pdf", tag)
        staged.temps.append(raw)
        done = temp_file(out_dir, comp.name, "pdf.part", tag)
        staged.temps.append(done)
        render(comp, raw, font_name=font_name, marks=press.marks, color_bar=press.color_bar,
               slug_text=f"{final.name}" if press.slug else None)
        if memory is not None:
            staged.render_key = _render_key(raw, comp, press, content)
            before = memory.same(comp.name, staged.render_key, final)
            if before is not None:          # out/ already holds exactly this: keep it
                staged.discard()
                staged.temps.clear()
                staged.unchanged = staged.output.unchanged = True
                staged.output.preflight = before.preflight
                return staged
        finish(raw, done, boxes=[p.boxes for p in comp.pages], pdfx=press.pdfx,
               profile=output_profile_path(press.output_profile), output_condition=press.output_condition,
               title=comp.title, author=str(content.document.author), language=content.document.language,
               source_date_epoch=source_date(content))
        raw.unlink()
        # the quick preflight: ink from the file's colour values and image samples, QR codes
        # rendered only where they were placed (``brochure preflight`` renders every page)
        report = preflight(done, expect_urls=comp.qr_urls, min_ppi=press.min_ppi, ink_limit=press.ink_limit,
                           thorough=False, qr_regions=qr_regions(comp), store=None)
        if not report.ok:
            report.path = final.name
            raise PressError(
                f"{final.name} 未通过印前检查，未写出：\n{report.summary()}",
                f"{final.name} failed preflight and was not written (see above).",
            )
        report.path = str(final)
        js = temp_file(out_dir, comp.name, "json.part", tag)
        staged.temps.append(js)
        with open(js, "w", encoding="utf-8") as f:
            f.write(report.to_json() + "\n")
            f.flush()
            os.fsync(f.fileno())
        with open(done, "rb") as f:
            os.fsync(f.fileno())
        staged.output.preflight = report
        staged.pdf, staged.report = done, js
        return staged
    except OSError as exc:
        staged.discard()
        if exc.errno in _DISK_ERRNOS:
            raise _disk_error(exc, out_dir) from None
        raise
    except BaseException:
        staged.discard()
        raise


def _prepare_out_dir(out_dir: Path) -> bool:
    """Make sure ``out_dir`` is a folder; True if this call created it."""
    if out_dir.exists() and not out_dir.is_dir():
        raise BrochureError(
            f"输出位置 {display_path(out_dir)} 是一个文件，不是文件夹。请用 -o 指定一个文件夹。",
            f"the output {display_path(out_dir)} is a file, not a folder. Choose a folder with -o.",
        )
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _disk_error(exc, out_dir) from None
    remove_stale_temps(out_dir)
    return created


def output_names(content: Content, only: str | None = None) -> list[str]:
    """The outputs a build makes, in order: the brochure, then each poster (or just ``only``)."""
    names = ["brochure"] + [p.name for p in content.posters]
    if only is None:
        return names
    return [n for n in names if only in (n, f"poster-{n}")]


def jobs_for(count: int) -> int:
    """How many processes share ``count`` outputs: $BROCHURE_JOBS, else one per CPU core."""
    env = os.environ.get("BROCHURE_JOBS", "")
    wanted = int(env) if env.isdigit() and int(env) > 0 else (os.cpu_count() or 1)
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(wanted, count))


def _stage_named(name: str, content: Content, faces, out_dir: Path, tag: str,
                 memory: Memory | None = None) -> _Staged:
    from brochure.images.prepare import release_memory

    release_memory()           # what the previous output freed goes back before this one's photos are read
    from brochure.layout.pages import check_on_page

    for comp, press in compositions(content, faces, name):
        check_on_page(comp)
        return _stage(comp, press, out_dir, content, faces["body"].name, tag, memory)
    raise AssertionError(f"no output named {name}")       # output_names() only gives real names


def _layout_store(content: Content, names: list[str]):
    """Open (or keep) the set paragraphs kept on disk for these outputs of this content file."""
    from brochure.text import layout
    from brochure.text.store import Store

    path = _cache_file("layout", content, names)
    store = layout._STORE
    if store is None or store.path != path:
        store = Store(path)
        layout.use_store(store)
    return store


def _make(names: list[str], content: Content, faces, out_dir: Path, tag: str,
          memory: Memory | None) -> tuple[str, object]:
    """Stage ``names`` in this process: ("ok", staged outputs) or ("error", the exception), to send back."""
    staged: list[_Staged] = []
    try:
        store = _layout_store(content, names)
        for name in names:
            staged.append(_stage_named(name, content, faces, out_dir, tag, memory))
        if memory is None:               # brochure watch saves once, when it stops
            store.save()
        return ("ok", staged)
    except BaseException as exc:         # noqa: BLE001 (everything goes back to the parent)
        for s in staged:
            s.discard()
        return ("error", _pickled_error(_as_interrupt(exc)))


class _Worker:
    """A forked process making some of a build's outputs, answering through a pipe.

    For a one-shot build it makes them at once from what this process has loaded
    (``first``: content, fonts, out_dir, tag) and ends when the pipe closes.  For
    ``brochure watch`` it stays for the session: at each request it reads
    content.yaml itself and makes its outputs again with its own paragraphs, fonts
    and photos warm (forking anew at every save cost the watching process ~30 ms
    of copy-on-write page faults).  Answers are the staged temporary files, tagged
    with the build and committed or removed by the parent, or the error; pickled
    and length-prefixed.
    """

    #: This process's ends of every worker's pipes: a worker forked later must not hold them
    #: open, or an earlier worker would never see its pipe close.
    _ends: set = set()

    def __init__(self, names: list[str], first: tuple | None = None):
        self.names = names
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:                      # the child: never returns
            os.close(down_w)
            os.close(up_r)
            for f in _Worker._ends:
                self._close(f)
            _serve(names, os.fdopen(down_r, "rb"), os.fdopen(up_w, "wb"), first)
        os.close(down_r)
        os.close(up_w)
        self.requests, self.answers = os.fdopen(down_w, "wb"), os.fdopen(up_r, "rb")
        _Worker._ends.update((self.requests, self.answers))

    def alive(self) -> bool:
        return bool(self.pid) and self.requests is not None

    def request(self, content_path: Path, out_dir: Path, tag: str, memory: Memory) -> None:
        _send(self.requests, (Path(content_path), Path(out_dir), tag, dict(memory.renders)))

    def result(self) -> list[_Staged]:
        """The staged outputs of the last request; raises the error it met."""
        try:
            kind, value = _receive(self.answers)
        except (EOFError, OSError):
            self.stop()
            raise RuntimeError(f"the process building {', '.join(self.names)} stopped without a result") from None
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        """Let a worker that has answered end (its pipe closes) and wait for it."""
        self._close(self.requests)
        if self.pid:
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = 0
        self._close(self.answers)
        _Worker._ends.difference_update((self.requests, self.answers))
        self.requests = self.answers = None

    def stop(self) -> None:
        """Stop it now (after an error or Ctrl-C here) and wait until it has gone."""
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGTERM)
        self.close()

    @staticmethod
    def _close(f) -> None:
        if f is not None:
            with contextlib.suppress(OSError):
                f.close()


def _serve(names: list[str], requests, answers, first: tuple | None) -> None:
    """The worker's life: the first outputs if given, then one answer per request until the pipe closes."""
    try:
        if first is not None:
            content, faces, out_dir, tag = first
            _trim_memory()                       # the parent's free heap need not count against this process
            _send(answers, _make(names, content, faces, out_dir, tag, None))
        else:                                    # resident: Ctrl-C is the watching process's to handle
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        while True:
            try:
                content_path, out_dir, tag, known = _receive(requests)
            except (EOFError, OSError):
                break
            try:
                content = load(content_path)
                faces = load_faces(content)
            except BaseException as exc:         # noqa: BLE001
                _send(answers, ("error", _pickled_error(exc)))
                continue
            _send(answers, _make(names, content, faces, out_dir, tag, Memory(renders=known)))
    finally:
        os._exit(0)


def _trim_memory() -> None:
    import gc

    from brochure.images.prepare import release_memory

    gc.collect()
    release_memory()


def _send(f, value) -> None:
    import pickle
    import struct

    data = pickle.dumps(value)
    f.write(struct.pack(">Q", len(data)) + data)
    f.flush()


def _receive(f):
    import pickle
    import struct

    head = f.read(8)
    if len(head) < 8:
        raise EOFError
    (size,) = struct.unpack(">Q", head)
    data = f.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def _pickled_error(exc: BaseException) -> BaseException:
    import pickle

    try:
        pickle.dumps(exc)
        return exc
    except Exception:
        import traceback
        return RuntimeError("".join(traceback.format_exception(exc)))


def _share(names: list[str], jobs: int, area: dict[str, float] | None = None) -> list[list[str]]:
    """Outputs per process: the brochure (the largest) alone in the first, the posters dealt round the rest.

    Posters go largest page first (``area``): the largest photos are prepared while a
    process is still small, and the longest work starts first.
    """
    if jobs <= 1 or len(names) <= 1:
        return [names]
    groups: list[list[str]] = [[names[0]]] + [[] for _ in range(jobs - 1)]
    posters = sorted(names[1:], key=lambda n: -(area or {}).get(n, 0.0))
    for i, name in enumerate(posters):
        groups[1 + i % (jobs - 1)].append(name)
    return [g for g in groups if g]


def build(content_path: Path, out_dir: Path, only: str | None = None, log=print,
          jobs: int | None = None, memory: Memory | None = None) -> list[Output]:
    """Build every output (or ``only`` one) of ``content_path`` into ``out_dir``; all or nothing.

    With more than one CPU core the posters are made in forked processes while
    this one makes the brochure (``jobs``, or $BROCHURE_JOBS, sets how many).
    ``memory`` (``brochure watch``) keeps outputs whose render did not change.
    """
    content_path, out_dir = Path(content_path), Path(out_dir)
    content = load(content_path)
    names = ["brochure"] + [p.name for p in content.posters] + [f"poster-{p.name}" for p in content.posters]
    if only is not None and only not in names:
        available = ["brochure"] + [p.name for p in content.posters]
        raise BrochureError(
            f"没有名为“{only}”的输出。请在 --only 后写其中之一：{'、'.join(available)}。",
            f"no output named '{only}'. After --only write one of: {', '.join(available)}.",
        )
    if only in (None, "brochure"):
        check_qr(content)
    faces = load_faces(content)
    wanted = output_names(content, only)
    groups = _share(wanted, jobs if jobs is not None else jobs_for(len(wanted)),
                    {p.name: p.page.width * p.page.height for p in content.posters})
    staged: list[_Staged] = []
    workers: list[_Worker] = []
    created = False
    tag = build_tag()
    try:
        with _terminate_as_interrupt():
            created = _prepare_out_dir(out_dir)
            if memory is not None:               # brochure watch: the same processes at every rebuild
                memory.keep_only(groups[1:])
                workers = [memory.resident(group) for group in groups[1:]]
                for worker in workers:
                    worker.request(content_path, out_dir, tag, memory)
            else:
                workers = [_Worker(group, first=(content, faces, out_dir, tag)) for group in groups[1:]]
            store = _layout_store(content, groups[0])
            by_name: dict[str, _Staged] = {}
            for name in groups[0]:
                by_name[name] = _stage_named(name, content, faces, out_dir, tag, memory)
                staged.append(by_name[name])
            for worker in workers:
                for name, s in zip(worker.names, worker.result()):
                    by_name[name] = s
                    staged.append(s)
                if memory is None:
                    worker.close()
            staged = [by_name[name] for name in wanted]          # committed in the order of content.yaml
            try:
                outputs = [s.commit() for s in staged]
            except OSError as exc:
                raise _disk_error(exc, out_dir) from None
            if memory is not None:
                for s in staged:
                    memory.remember(s)
            else:                    # brochure watch saves once, when it stops
                store.save()
    except BaseException as exc:
        for worker in workers:
            worker.stop()
        for s in staged:
            s.discard()
        remove_own_temps(out_dir, tag)
        if created:
            with contextlib.suppress(OSError):
                out_dir.rmdir()         # only if still empty
        reported = _as_interrupt(exc)
        if reported is not exc:
            raise reported from exc
        raise
    if outputs and content.warnings:
        outputs[0].warnings[:0] = content.warnings
    return outputs
