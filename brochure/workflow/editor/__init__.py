"""``brochure edit``: a page in the browser where staff change the words and watch the pages follow.

A form for everything content.yaml holds, the pages beside it redrawn within a
second of the last keystroke, the loader's own messages at the field they name,
saving that keeps staff's file as theirs (comments, order, quoting), and the real
build from a button.  It is a workflow on top of the pipeline: ``preview`` shows
the pipeline's compositions, ``yamldoc`` writes the form back into the file,
``server`` answers the page; the page itself is in ``static/``.
"""
from __future__ import annotations

import os
import secrets
import socket
import sys
import webbrowser
from pathlib import Path
from typing import Callable

from ruamel.yaml import YAMLError

from brochure.content.files import read_text_file
from brochure.ground.errors import BrochureError


def edit(content_path: Path, out_dir: Path | None = None, *, open_browser: bool = True,
         echo: Callable[[str], None] = print, port: int = 0) -> None:
    """Serve the editor for ``content_path`` on 127.0.0.1 until Ctrl+C (or SIGTERM)."""
    import uvicorn

    from brochure.workflow.editor.server import Editor, application, close

    content_path = Path(content_path)
    read_text_file(content_path)                # a missing, binary or non-UTF-8 file is refused here, clearly
    try:
        editor = Editor(content_path, out_dir)
    except YAMLError:
        raise unreadable(content_path) from None
    token = secrets.token_urlsafe(24)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)                             # connections wait from now on, while the server starts
    address = f"http://127.0.0.1:{sock.getsockname()[1]}/{token}/"
    config = uvicorn.Config(application(editor, token), log_level="warning", access_log=False,
                            lifespan="off", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    echo(f"正在编辑 {content_path.name}：请在浏览器中打开 / editing {content_path.name}: open in your browser")
    echo(f"  {address}")
    echo("（这个地址只在本机有效，含有访问口令，请勿外传。按 Ctrl+C 停止。 / "
         "The address works on this computer only and holds the access token: keep it to yourself. "
         "Press Ctrl+C to stop.）")
    if open_browser:
        _open(address, echo)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:               # uvicorn stops on Ctrl+C, then raises it again: stopped, as asked
        pass
    finally:
        if not editor.lock.acquire(blocking=False):     # a build or a save under way finishes first
            echo("正在等待进行中的保存或生成完成… / waiting for the save or build under way to finish…")
            editor.lock.acquire()
        close(editor)
        sock.close()
    echo("已停止编辑。 / stopped editing.")


def unreadable(content_path: Path) -> BrochureError:
    """Why the form cannot show a file that is not YAML at all: the loader's own located message."""
    from brochure.content import load

    try:
        load(content_path)
    except BrochureError as exc:
        return BrochureError(
            f"{exc.zh}\n请先在文本编辑器中改正这一处，再运行 brochure edit。",
            f"{exc.en}\nFix this place in a text editor first, then run brochure edit again.", exc.where)
    return BrochureError("无法把这个文件读成表格，请用文本编辑器检查它的缩进和引号。",
                         "this file cannot be read into the form; check its indentation and quotes in a text editor.")


def _open(address: str, echo: Callable[[str], None]) -> None:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        # no desktop: the only browsers would be text ones that take over this terminal
        echo("没有图形界面的浏览器：请在本机的浏览器中打开上面的地址。 / no desktop browser here: open the address above "
             "in a browser on this computer.")
        return
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        echo("没有找到浏览器：请把上面的地址复制到浏览器中。 / no browser found: copy the address above into one.")
        return
    try:
        browser.open(address)
    except Exception:  # noqa: BLE001 (a browser that fails to start: the address is printed anyway)
        echo("无法打开浏览器：请把上面的地址复制到浏览器中。 / could not open a browser: copy the address above into one.")


__all__ = ["edit"]
