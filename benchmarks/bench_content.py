"""The benchmark's inputs: the content file edited, scaled and copied into projects, and Typst's copy of its words.

Plain functions of the YAML text; ``bench.py`` runs and times the builds.
"""
from __future__ import annotations

import copy
import re
import json
import shutil
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "baseline.typ"
RARE_CHARS = "龘靐齉爨麤龖灪鬱鱻驫羴猋"


class BenchError(RuntimeError):
    pass


def is_han(ch: str) -> bool:
    cp = ord(ch)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x3134F


def load_yaml(text: str) -> dict:
    return yaml.safe_load(text)


def body_texts(data: dict) -> list[str]:
    """The running text: the preface and every section's paragraphs."""
    out = [str(p) for p in (data.get("lead") or {}).get("preface") or []]
    for s in data.get("sections") or []:
        out += [str(p) for p in s.get("paragraphs") or []]
    return out


def all_strings(node) -> str:
    """Every string scalar in the parsed YAML, joined (a superset of the printed text)."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return "".join(all_strings(v) for v in node.values())
    if isinstance(node, list):
        return "".join(all_strings(v) for v in node)
    return ""


def scaled(data: dict, n: int) -> dict:
    """A copy of the content with each section's paragraphs repeated ``n`` times."""
    out = copy.deepcopy(data)
    for s in out.get("sections") or []:
        s["paragraphs"] = list(s.get("paragraphs") or []) * n
    return out


def dump_yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1 << 20)


def _edit_target(text: str, data: dict) -> tuple[str, int]:
    """A section paragraph that occurs exactly once in the raw file, and its offset there."""
    for s in data.get("sections") or []:
        for p in s.get("paragraphs") or []:
            p = str(p)
            if len(p) >= 20 and text.count(p) == 1:
                return p, text.index(p)
    raise BenchError("no section paragraph occurs verbatim exactly once in the content file")


def edit_one_char(text: str) -> tuple[str, str, str]:
    """Replace one Han character of a section paragraph by another one the text uses.

    The replaced character occurs elsewhere in the running text too, and the new
    one already occurs in it, so the document's character set stays the same.
    Returns (new text, old character, new character).
    """
    data = load_yaml(text)
    counts: dict[str, int] = {}
    for t in body_texts(data):
        for ch in t:
            if is_han(ch):
                counts[ch] = counts.get(ch, 0) + 1
    para, at = _edit_target(text, data)
    common = sorted(counts, key=lambda c: (-counts[c], c))
    for i, ch in enumerate(para):
        if is_han(ch) and counts.get(ch, 0) >= 2:
            new = next(c for c in common if c != ch and c != para[i - 1:i] and c != para[i + 1:i + 2])
            return text[:at + i] + new + text[at + i + 1:], ch, new
    raise BenchError("no Han character of the paragraph occurs twice in the text")


def insert_char(text: str, ch: str) -> str:
    """Add ``ch`` in the middle of a section paragraph."""
    data = load_yaml(text)
    para, at = _edit_target(text, data)
    mid = at + len(para) // 2
    return text[:mid] + ch + text[mid:]


def pick_rare_chars(text: str, root: Path, n: int) -> tuple[list[str], str]:
    """``n`` Han characters not in the content that every configured face has; and how they were checked."""
    data = load_yaml(text)
    present = set(all_strings(data))
    candidates = [c for c in RARE_CHARS if c not in present]
    try:                          # imported here: without them, the fallback below assumes Noto CJK
        from fontTools.ttLib import TTFont

        from brochure.fonts.discover import find_font

        fonts = ((data.get("settings") or {}).get("fonts") or {}).values() or [
            {"family": "Noto Serif CJK SC", "style": "Regular"}]
        cmaps = []
        for spec in fonts:
            src = find_font(root, spec["family"], spec["style"])
            kw = {"fontNumber": src.index} if src.path.suffix.lower() in (".ttc", ".otc") else {}
            cmaps.append(TTFont(str(src.path), lazy=True, **kw).getBestCmap())
        found = [c for c in candidates if all(ord(c) in cm for cm in cmaps)]
        if len(found) < n:
            raise BenchError(f"only {len(found)} of {''.join(candidates)} are in every configured face; {n} needed")
        return found[:n], f"checked with fontTools in {len(cmaps)} faces"
    except BenchError:
        raise
    except Exception as e:                       # no fontTools / fontconfig: assume Noto CJK
        if len(candidates) < n:
            raise BenchError(f"only {len(candidates)} rare characters left; {n} needed") from None
        return candidates[:n], f"not checked ({type(e).__name__})"


def typst_data(data: dict) -> dict:
    """The words the Typst baseline sets: headline, preface, each section's headline and paragraphs."""
    lead = data.get("lead") or {}
    typo = (data.get("settings") or {}).get("typography") or {}
    return {
        "title": str((data.get("document") or {}).get("title") or ""),
        "size": float(typo.get("body_size", 9.5)),
        "leading": float(typo.get("leading", 15)),
        "headline": str(lead.get("headline") or ""),
        "preface_title": str(lead.get("preface_title") or "前言"),
        "preface": [str(p) for p in lead.get("preface") or []],
        "sections": [{"headline": str(s.get("headline") or ""),
                      "paragraphs": [str(p) for p in s.get("paragraphs") or []]}
                     for s in data.get("sections") or []],
    }


def write_typst_project(folder: Path, data: dict) -> Path:
    """baseline.typ and its data.json in ``folder``; returns the .typ path."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMPLATE, folder / "baseline.typ")
    (folder / "data.json").write_text(json.dumps(typst_data(data), ensure_ascii=False), encoding="utf-8")
    return folder / "baseline.typ"


def make_project(src_root: Path, dst: Path, content_text: str) -> Path:
    """A project folder: content.yaml plus copies of the photos it names and of fonts/."""
    dst.mkdir(parents=True, exist_ok=True)
    data = load_yaml(content_text)
    for photo in (data.get("photos") or {}).values():
        rel = Path(str(photo["file"]))
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copy2(src_root / rel, target)   # copies: a symlink leaving the project is refused
    if (src_root / "fonts").is_dir() and not (dst / "fonts").exists():
        shutil.copytree(src_root / "fonts", dst / "fonts")
    path = dst / "content.yaml"
    path.write_text(content_text, encoding="utf-8")
    return path


_SENTENCE = re.compile(r"[^。！？]{8,60}[。！？]")


def sentences(data: dict) -> list[str]:
    """The body's sentences of 8–60 characters, in reading order: material for edits never made before."""
    return [s for t in body_texts(data) for s in _SENTENCE.findall(t)]


def fresh_edit(data: dict, run: int, kind: str) -> dict:
    """A copy of ``data`` with an edit no earlier run made: ``sentence`` adds a sentence to a paragraph,
    ``paragraph`` adds a paragraph to a section, ``photo`` adds a paragraph and a new photo (its file is
    written by ``fresh_photo``).  Only characters the text already has are used, so the fonts stay valid."""
    data = copy.deepcopy(data)
    pool = sentences(data)
    sections = data["sections"]
    if kind == "sentence":
        paragraphs = [p for s in sections for p in s["paragraphs"]]
        k = (run * 7 + 3) % len(paragraphs)
        for s in sections:
            if k < len(s["paragraphs"]):
                s["paragraphs"][k] = str(s["paragraphs"][k]) + pool[(run * 5) % len(pool)]
                break
            k -= len(s["paragraphs"])
        return data
    section = sections[run % len(sections)]
    section["paragraphs"].append("".join(pool[(run * 3 + j * 7) % len(pool)] for j in range(3)))
    if kind == "photo":
        pid = f"extra-{run}"
        data.setdefault("photos", {})[pid] = {"file": f"images/{pid}.jpg", "caption": pool[run % len(pool)][:20] + "。",
                                             "credit": "李健 摄"}
        section["photos"] = list(section.get("photos") or []) + [pid]
    return data


def fresh_photo(project: Path, data: dict, run: int) -> None:
    """The photo ``fresh_edit(…, run, "photo")`` names: an existing photo of the project with its pixels
    changed a little, so no cache has seen it."""
    from PIL import Image

    source = next(iter((data.get("photos") or {}).values()))["file"]
    with Image.open(project / source) as im:
        im = im.convert("RGB")
        im.putpixel((run % im.width, 0), (run % 256, 255 - run % 256, 128))
        im.save(project / "images" / f"extra-{run}.jpg", quality=90)
