"""The editor's web server: the form's page, its previews, saving, photos and the build, for one content file.

Starlette routes on uvicorn, listening on 127.0.0.1 only.  Every address starts
with a random token (``/TOKEN/…``); a request without it is refused (403), so
another user of the machine cannot read or change the file.  The page and its
script are the package's own files (``static/``): nothing comes from the internet.

One ``Editor`` holds the file as last read from disk (text, modification time
and digest), the build ``Session`` every preview and build shares, and a lock:
the session is used by one request at a time, and a preview overtaken by a newer
one while it waited answers "stale" at once.
"""
from __future__ import annotations

import hashlib
import io
import itertools
import os
import re
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from brochure.content.files import read_text_file
from brochure.content.photos import check_photo
from brochure.ground.errors import BrochureError, Location
from brochure.pipeline import Session, close_residents
from brochure.workflow.editor.preview import Message, Preview, min_photo_pixels
from brochure.workflow.editor.yamldoc import YamlDocument

STATIC = Path(__file__).parent / "static"
#: The largest photo accepted (bytes): a camera's full-size JPEG is well under it.
MAX_UPLOAD = 40 * 1024 * 1024
#: The largest request of words (the content file is at most 2 MB; its form data a little more).
MAX_JSON = 8 * 1024 * 1024
SUFFIX = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "TIFF": ".tif"}


@dataclass
class OnDisk:
    """content.yaml as the editor last read or wrote it."""

    text: str
    mtime_ns: int
    digest: str

    @classmethod
    def read(cls, path: Path) -> "OnDisk":
        text = read_text_file(path)
        st = path.stat()
        return cls(text, st.st_mtime_ns, _digest(path.read_bytes()))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Editor:
    """One content file being edited: what is on disk, the warm preview, and the work the page asks for."""

    def __init__(self, content_path: Path, out_dir: Path | None = None, session: Session | None = None):
        self.path = Path(content_path).absolute()
        self.out_dir = Path(out_dir) if out_dir else self.path.parent / "out"
        self.session = session or Session()
        self.preview = Preview(self.path, self.session)
        self.lock = threading.Lock()
        self.requests = itertools.count(1)      # numbers the previews asked for (next() is atomic)
        self.latest = 0
        self.reload()

    # -- the file ----------------------------------------------------------------
    def reload(self) -> None:
        self.disk = OnDisk.read(self.path)
        self.doc = YamlDocument(self.disk.text)

    def state(self) -> dict:
        checked = self.preview.check(self.disk.text)
        posters = [p.name for p in checked.content.posters] if checked.content else []
        return {"data": self.doc.form_data(), "version": self.disk.digest, "file": self.path.name,
                "outputs": ["brochure"] + posters, "messages": [m.as_json() for m in checked.messages]}

    def changed_on_disk(self) -> bool:
        """Has someone else written content.yaml since it was read here?  Its time first, then its bytes."""
        try:
            st = self.path.stat()
            if st.st_mtime_ns == self.disk.mtime_ns and st.st_size == len(self.disk.text.encode("utf-8")):
                return False
            return _digest(self.path.read_bytes()) != self.disk.digest
        except OSError:
            return True

    # -- the page's requests ------------------------------------------------------
    def show(self, data, only: str) -> dict:
        """The verdict on the form's words and, when they are valid, the pages of ``only``."""
        mine = self.latest = next(self.requests)
        with self.lock:
            if mine != self.latest:
                return {"stale": True}
            started = time.perf_counter()
            text = self.doc.apply(data)
            checked = self.preview.check(text)
            answer = {"stale": False, "valid": checked.valid, "messages": [m.as_json() for m in checked.messages],
                      "changed": text != self.disk.text, "conflict": self.changed_on_disk()}
            answer["seconds"] = {"check": round(time.perf_counter() - started, 4)}
            if checked.valid:
                pages, notes = self.preview.draw(checked, only)
                answer["seconds"]["draw"] = round(time.perf_counter() - started - answer["seconds"]["check"], 4)
                answer["seconds"].update({k: round(v, 4) for k, v in self.preview.seconds.items()})
                answer["notes"] = [m.as_json() for m in notes]
                answer["pages"] = [{"key": p.key, "width": p.width, "height": p.height, "boxes": p.boxes}
                                   for p in pages]
                answer["outputs"] = ["brochure"] + [p.name for p in checked.content.posters]
            return answer

    def save(self, data, version: str, force: bool = False) -> tuple[int, dict]:
        """Write the form's words into content.yaml: only when valid, never over someone else's change unasked."""
        with self.lock:
            text = self.doc.apply(data)
            checked = self.preview.check(text)
            if not checked.valid:
                return 422, {"saved": False, "messages": [m.as_json() for m in checked.messages]}
            if (version != self.disk.digest or self.changed_on_disk()) and not force:
                return 409, {"saved": False, "conflict": True, "disk": _disk_text(self.path)}
            if text != self.disk.text or force:
                write_atomically(self.path, text, backup=self.path.with_name(self.path.name + ".bak"))
            self.reload()
        return 200, {"saved": True, **self.state()}

    def build(self) -> dict:
        """The real build of the file on disk into out/: every output, preflighted."""
        from brochure.pipeline import build

        with self.lock:
            try:
                outputs = build(self.path, self.out_dir, session=self.session, jobs=1)
            except BrochureError as exc:
                checked = self.preview.check(self.disk.text)
                return {"ok": False, "error": Message(exc.zh, exc.en, "error", *_place(exc)).as_json(),
                        "where": str(exc.where) if exc.where else None,
                        "messages": [m.as_json() for m in checked.messages]}
        files = []
        for o in outputs:
            report = o.preflight
            summary = report.summary() if hasattr(report, "summary") else ""
            files.append({"name": o.name, "path": _shown(o.path), "pages": o.pages, "unchanged": o.unchanged,
                          "preflight": bool(getattr(report, "ok", False)), "summary": summary,
                          "warnings": [str(w) for w in o.warnings]})
        return {"ok": True, "files": files, "out": _shown(self.out_dir)}

    def upload(self, name: str, data: bytes) -> tuple[int, dict]:
        """A photo chosen in the page: checked (format, pixels for one column at the press's resolution), saved
        into images/ under a name of its own (never over a file already there)."""
        from PIL import Image, UnidentifiedImageError

        def refuse(zh, en):
            return 422, {"ok": False, "zh": zh, "en": en}

        if len(data) > MAX_UPLOAD:
            return refuse(f"照片文件太大（超过 {MAX_UPLOAD // 2**20} MB）。请先用看图软件缩小后再选。",
                          f"the photo file is too large (over {MAX_UPLOAD // 2**20} MB). Make it smaller first.")
        try:
            with Image.open(io.BytesIO(data)) as im:
                fmt, (width, height) = im.format, im.size
        except (UnidentifiedImageError, OSError, ValueError):
            fmt, width, height = None, 0, 0
        if fmt not in SUFFIX:
            return refuse("这不是 JPEG、PNG 或 TIFF 照片。请用看图软件打开后另存为 JPEG 再选。",
                          "this is not a JPEG, PNG or TIFF photo. Open it in an image viewer, save it as JPEG, "
                          "then choose it again.")
        needed, width_mm = min_photo_pixels(self.preview.check(self.disk.text).content)
        if min(width, height) < needed:
            return refuse(
                f"照片只有 {width}×{height} 像素，太小：印在一栏宽（{width_mm:.0f} 毫米）至少要 {needed} 像素。"
                "请换用原图（相机或手机里的原始照片，不要用聊天软件压缩过的）。",
                f"the photo has only {width}×{height} pixels, too few: one column ({width_mm:.0f} mm) needs at "
                f"least {needed}. Use the original photo (from the camera or phone, not one a chat app shrank).")
        images = self.path.parent / "images"
        images.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(name).stem).strip("-").lower()[:40] or "photo"
        target = _free_name(images, stem, SUFFIX[fmt])
        fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=SUFFIX[fmt], dir=images)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            rel = f"images/{target.name}"
            check_photo(Path(tmp), rel, Location(rel))          # decoded in full, as the build will
            os.link(tmp, target)                                # fails rather than replace a file of that name
        except BrochureError as exc:
            return refuse(exc.zh, exc.en)
        finally:
            os.unlink(tmp)
        return 200, {"ok": True, "file": f"images/{target.name}", "id": target.stem, "pixels": [width, height]}


def _place(exc) -> tuple:
    where = getattr(exc, "where", None)
    return (getattr(where, "line", None), getattr(where, "column", None))


def _shown(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def _disk_text(path: Path) -> str:
    try:
        return read_text_file(path)
    except BrochureError as exc:
        return str(exc)


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    target, n = folder / f"{stem}{suffix}", 2
    while os.path.lexists(target):
        target, n = folder / f"{stem}-{n}{suffix}", n + 1
    return target


def write_atomically(path: Path, text: str, backup: Path | None = None) -> None:
    """``text`` into ``path`` all at once (a temporary file beside it, synced, renamed over it), with the
    file's mode kept; the previous version first kept as ``backup`` the same way."""
    path = Path(path)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644

    def put(target: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    if backup is not None and path.exists():
        put(backup, path.read_bytes())
    put(path, text.encode("utf-8"))
    try:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError:
        pass


# -- the web application --------------------------------------------------------

def application(editor: Editor, token: str):
    """The ASGI application: the editor's routes under ``/TOKEN/``, everything else refused."""

    async def index(request: Request):
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def state(request: Request):
        return JSONResponse(await _threaded(editor.state))

    async def disk(request: Request):
        return JSONResponse({"conflict": editor.changed_on_disk(), "version": editor.disk.digest})

    async def preview(request: Request):
        body = await _json(request)
        if isinstance(body, Response):
            return body
        return JSONResponse(await _threaded(editor.show, body.get("data"), str(body.get("only") or "brochure")))

    async def save(request: Request):
        body = await _json(request)
        if isinstance(body, Response):
            return body
        status, answer = await _threaded(editor.save, body.get("data"), str(body.get("version")),
                                         bool(body.get("force")))
        return JSONResponse(answer, status_code=status)

    async def reload(request: Request):
        def again():
            with editor.lock:
                editor.reload()
            return editor.state()
        return JSONResponse(await _threaded(again))

    async def build(request: Request):
        return JSONResponse(await _threaded(editor.build))

    async def upload(request: Request):
        size = _length(request)
        if size is None:                    # its size said first: a photo is never streamed in unbounded
            return JSONResponse({"ok": False, "zh": "上传请求没有注明大小。", "en": "the upload did not say its size."},
                                status_code=411)
        if size > MAX_UPLOAD + 64 * 1024:
            return JSONResponse({"ok": False, "zh": f"照片文件太大（超过 {MAX_UPLOAD // 2**20} MB）。",
                                 "en": f"the photo file is too large (over {MAX_UPLOAD // 2**20} MB)."}, status_code=413)
        async with request.form(max_files=1, max_fields=4) as form:
            photo = form.get("photo")
            if photo is None or not hasattr(photo, "read"):
                return JSONResponse({"ok": False, "zh": "没有收到照片。", "en": "no photo was sent."}, status_code=400)
            data = await photo.read(MAX_UPLOAD + 1)
            name = photo.filename or "photo"
        status, answer = await _threaded(editor.upload, name, data)
        return JSONResponse(answer, status_code=status)

    async def page(request: Request):
        png = editor.preview.pages.get(request.path_params["key"])
        if png is None:
            return PlainTextResponse("not found", status_code=404)
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=86400, immutable"})

    routes = [
        Route("/", index),
        Route("/api/state", state),
        Route("/api/disk", disk),
        Route("/api/preview", preview, methods=["POST"]),
        Route("/api/save", save, methods=["POST"]),
        Route("/api/reload", reload, methods=["POST"]),
        Route("/api/build", build, methods=["POST"]),
        Route("/api/upload", upload, methods=["POST"]),
        Route("/page/{key:str}.png", page),
        Mount("/static", StaticFiles(directory=STATIC)),
    ]
    inner = Starlette(routes=[Mount(f"/{token}", routes=routes)])
    prefix = f"/{token}/"

    async def guarded(scope, receive, send):
        if scope["type"] == "http":
            path = scope.get("path", "")
            if not secrets.compare_digest(path[:len(prefix)].encode(), prefix.encode()):
                response = PlainTextResponse("403 forbidden: this address needs the editor's token\n", status_code=403)
                await response(scope, receive, send)
                return
        elif scope["type"] == "websocket":
            return
        await inner(scope, receive, send)

    return guarded


async def _threaded(fn, *args):
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


def _length(request: Request) -> int | None:
    try:
        return int(request.headers["content-length"])
    except (KeyError, ValueError):
        return None


async def _json(request: Request):
    size = _length(request)
    if size is None or size > MAX_JSON:
        return JSONResponse({"error": "too large"}, status_code=413)
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "not JSON"}, status_code=400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "not an object"}, status_code=400)
    return body


def close(editor: Editor) -> None:
    close_residents(editor.session)

