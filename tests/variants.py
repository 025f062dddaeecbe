"""Staff changes to the project's own content.yaml, each written out as a project folder of its own.

    .venv/bin/python -m tests.variants OUTDIR [NAME ...] [--build] [--audit] [--table FILE.md]

writes OUTDIR/NAME/content.yaml and OUTDIR/NAME/images/ for every variant (or the ones named);
``--build`` also runs ``python -m brochure build NAME/content.yaml -o NAME/out`` (BROCHURE_JOBS=1)
and ``--audit`` runs tools/composition_audit.py on what was built, one table row per variant;
``--table FILE.md`` writes the variant x rule table of counts, with one example of each rule.

The variants are what a district's staff do to the content: the seven changes issue 19's
"Done when" lists (``LISTED``), three more it does not (``EXTRA``) so that the layout's rules are
not tuned to the listed ones, ``default`` (the content unchanged) and ``posters`` (every poster
preset).  From Python::

    from variants import VARIANTS, write_variant, build_variant, audit_variant

    folder = write_variant("e-photo", tmp_path)           # tmp_path/e-photo/content.yaml, images/
    out = build_variant(folder, "--only", "brochure")      # folder/out, raises on a failed build
    report = audit_variant(out)                            # {pdf name: composition_audit report}

Each variant is a function changing the loaded YAML tree (PyYAML, the way tests/conftest.py's
``copy_project`` writes a project); a new photo is a real JPEG made with Pillow.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import yaml

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ["A0", "A1", "A2", "A3", "A0-landscape", "A1-landscape", "A2-landscape", "A3-landscape", "rollup", "board"]


# ---- a new photo ------------------------------------------------------------------------------
def make_photo(path: Path, seed: int, size: tuple[int, int] = (3000, 2000)) -> Path:
    """A photographic-looking JPEG: a sky-to-ground gradient, soft shapes and grain, ``size`` pixels."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    w, h = size
    small = (w // 10, h // 10)
    sky = tuple(rng.randint(90, 200) for _ in range(3))
    ground = tuple(rng.randint(30, 120) for _ in range(3))
    base = Image.new("RGB", small)
    mask = Image.linear_gradient("L").resize(small)
    base.paste(Image.new("RGB", small, sky), (0, 0))
    base = Image.composite(Image.new("RGB", small, ground), base, mask)
    draw = ImageDraw.Draw(base)
    for _ in range(40):                      # blurred blobs: trees, roofs, people at a distance
        x, y = rng.randint(0, small[0]), rng.randint(small[1] // 3, small[1])
        r = rng.randint(small[1] // 30, small[1] // 6)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randint(20, 230) for _ in range(3)))
    base = base.filter(ImageFilter.GaussianBlur(6)).resize(size, Image.BICUBIC)
    grain = Image.effect_noise(size, 18).convert("RGB")
    photo = Image.blend(base, grain, 0.12)
    path.parent.mkdir(parents=True, exist_ok=True)
    photo.save(path, "JPEG", quality=88)
    return path


def _new_photo(tree: dict, folder: Path, key: str, seed: int, caption: str) -> str:
    make_photo(folder / "images" / f"{key}.jpg", seed)
    tree["photos"][key] = {"file": f"images/{key}.jpg", "caption": caption, "credit": "渌口区融媒体中心 供图",
                           "fit": "cover", "focus": [0.5, 0.5]}
    return key


# ---- the variants -------------------------------------------------------------------------------
def e_photo(tree, folder):
    """One paragraph and one photo added to the last section."""
    e = tree["sections"][-1]
    e["paragraphs"].append("社区服务中心里，居民办理社保、医保、养老等事项不再来回奔波，“家门口”就能享受到"
                           "一站式服务，居民们纷纷点赞。")
    e["photos"] = list(e.get("photos") or []) + [_new_photo(tree, folder, "community-centre", 19,
                                                            "社区服务中心一站式服务窗口。")]


E55 = "渌口区新建改造城乡道路一百二十公里，打通了群众出行的“最后一公里”，一条条平坦的幸福大路越走越宽，连起了城乡。"


def e_55(tree, folder):
    """One 55-character paragraph (no photo) added to the last section."""
    assert len(E55) == 55, len(E55)
    tree["sections"][-1]["paragraphs"].append(E55)


def no_photos(tree, folder):
    """Every photo removed, the lead photo included (the posters lose their hero)."""
    for s in tree["sections"]:
        s["photos"] = []
    tree["lead"].pop("photo", None)
    tree.pop("photos", None)
    for p in tree.get("posters", []):
        p["shows"] = [x for x in p["shows"] if x != "hero"]
        p.pop("hero", None)


def double(tree, folder):
    """The text doubled: each section's paragraphs twice."""
    for s in tree["sections"]:
        s["paragraphs"] = s["paragraphs"] * 2


FOURTH = [
    "绿水青山就是金山银山。近年来，渌口区坚持生态优先、绿色发展，湘江渌口段禁捕退捕工作扎实推进，"
    "沿江岸线整治复绿，昔日的砂石码头变成了市民休闲的滨江风光带。",
    "走进南洲镇，一条条游步道串起村庄与田野，白墙黛瓦掩映在青山绿水之间。该镇依托湘江水系，"
    "打造沿江生态廊道，发展精品民宿和研学旅行，吸引周边城市游客前来观光。",
    "生态环境的改善，带来了发展的新机遇。全区森林覆盖率稳步提升，空气质量优良天数比例持续保持高位，"
    "渌江、湘江水质常年稳定达标，成为候鸟越冬的栖息地。",
    "守护好一江碧水，需要久久为功。该区建立河长制、林长制工作体系，区、镇、村三级河长定期巡河，"
    "聘请民间河长和护鱼志愿者，形成了全民参与的生态保护格局。",
    "下一步，渌口区将持续深入打好污染防治攻坚战，推动绿色低碳发展，让良好生态环境成为人民幸福生活的增长点。",
]


def fourth(tree, folder):
    """A fourth section: headline, summary, several paragraphs and a photo."""
    key = _new_photo(tree, folder, "riverside", 4, "湘江渌口段滨江风光带。")
    tree["sections"].append({"letter": "G", "headline": "守护“一江碧水” 绘就“绿色画卷”",
                             "summary": "渌口区坚持生态优先、绿色发展，让良好生态环境成为人民幸福生活的增长点。",
                             "photos": [key], "paragraphs": list(FOURTH)})


HONOURS_MORE = [
    "全国义务教育发展基本均衡县（区）",
    "全国农村承包地确权登记颁证工作先进县（区）",
    "省级全域旅游示范区创建单位",
    "全省优化营商环境先进县（市区）",
]


def honours_12(tree, folder):
    """Twelve honour items (four added in the style of the eight)."""
    tree["honours"]["items"] = list(tree["honours"]["items"]) + HONOURS_MORE
    assert len(tree["honours"]["items"]) == 12


def preface_2x(tree, folder):
    """A preface twice as long."""
    tree["lead"]["preface"] = list(tree["lead"]["preface"]) * 2


# not in issue 19's list ---------------------------------------------------------------------------
def half(tree, folder):
    """Half the text: each section keeps the first half of its paragraphs."""
    for s in tree["sections"]:
        s["paragraphs"] = s["paragraphs"][: max(1, (len(s["paragraphs"]) + 1) // 2)]
    text = "".join(p for s in tree["sections"] for p in s["paragraphs"])
    tree["figures"] = [f for f in tree.get("figures", []) if f["source"] in text]   # staff drop what they cut


def reorder(tree, folder):
    """The sections in the opposite order."""
    tree["sections"] = list(reversed(tree["sections"]))


def long_heads(tree, folder):
    """Headlines about twice as long, as staff write when the paper's title is not short enough for them."""
    tails = ["，产业集群跑出发展“加速度”", "，乡村振兴绘就富美新画卷", "，幸福答卷写满百姓心坎上"]
    for s, tail in zip(tree["sections"], tails):
        s["headline"] = s["headline"] + tail


def every_preset(tree):
    """One poster of each preset in ``PRESETS``, each from the first poster's settings (its own distances)."""
    base = dict(tree["posters"][0])
    tree["posters"] = []
    for size in PRESETS:
        poster = dict(base, name=size.lower(), size=size)
        for key in ("foot", "distance", "scan_distance"):
            poster.pop(key, None)
        tree["posters"].append(poster)


def posters(tree, folder):
    """Every poster preset, each from the first poster's settings."""
    every_preset(tree)


def default(tree, folder):
    """The content as it is."""


LISTED: dict[str, Callable] = {"e-photo": e_photo, "e-55": e_55, "no-photos": no_photos, "double": double,
                               "fourth": fourth, "honours-12": honours_12, "preface-2x": preface_2x}
EXTRA: dict[str, Callable] = {"half": half, "reorder": reorder, "long-heads": long_heads}
VARIANTS: dict[str, Callable] = {"default": default, **LISTED, **EXTRA, "posters": posters}


# ---- writing, building, auditing -----------------------------------------------------------------
def write_variant(name: str, outdir: Path, source: Path = ROOT / "content.yaml") -> Path:
    """OUTDIR/NAME/ with the changed content.yaml and the project's images copied; returns the folder."""
    folder = Path(outdir) / name
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(source.parent / "images", folder / "images")
    tree = yaml.safe_load(source.read_text(encoding="utf-8"))
    VARIANTS[name](tree, folder)
    (folder / "content.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=10_000),
                                         encoding="utf-8")
    return folder


def build_variant(folder: Path, *args: str, timeout: float = 600) -> Path:
    """``python -m brochure build FOLDER/content.yaml -o FOLDER/out`` with BROCHURE_JOBS=1; returns out/."""
    out = Path(folder) / "out"
    env = {**os.environ, "BROCHURE_JOBS": "1"}
    run = subprocess.run([sys.executable, "-m", "brochure", "build", str(Path(folder) / "content.yaml"),
                          "-o", str(out), *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    if run.returncode != 0:
        raise RuntimeError(f"{folder.name}: build failed ({run.returncode})\n{run.stderr}")
    return out


def _audit_tool():
    spec = importlib.util.spec_from_file_location("composition_audit", ROOT / "tools" / "composition_audit.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def audit_variant(out: Path, tool=None) -> dict[str, dict]:
    """{pdf file name: the composition audit's report} for every PDF in ``out``."""
    tool = tool or _audit_tool()
    return {p.name: tool.audit(p) for p in sorted(Path(out).glob("*.pdf"))}


def findings_table(results: dict[str, dict[str, dict]], pages: bool = True) -> str:
    """Markdown: one row per variant (with its brochure's pages), one column per rule, the count of
    findings; then one example of each rule (the first variant that has it)."""
    rules = sorted({rule for reports in results.values() for r in reports.values() for rule in r["summary"]})
    head = "| variant | " + ("pages | " if pages else "") + " | ".join(rules) + " |"
    lines = [head, "|" + "---|" * (len(rules) + 1 + pages)]
    examples: dict[str, str] = {}
    for name, reports in results.items():
        counts: dict[str, int] = {}
        for pdf, r in reports.items():
            for f in r["findings"]:
                counts[f["rule"]] = counts.get(f["rule"], 0) + 1
                examples.setdefault(f["rule"], f"{name}/{pdf} p{f['page']} at {f['x_mm']:.0f},{f['y_mm']:.0f} mm: "
                                               f"{f['detail']}")
        count = f"{reports.get('brochure.pdf', {}).get('pages', '—')} | " if pages else ""
        lines.append(f"| {name} | {count}" + " | ".join(str(counts.get(r, "")) for r in rules) + " |")
    lines += ["", "| rule | example |", "|---|---|"]
    lines += [f"| {rule} | {examples[rule].replace('|', '/')} |" for rule in rules]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("names", nargs="*", help=f"variants to write (default: all): {', '.join(VARIANTS)}")
    ap.add_argument("--build", action="store_true", help="build each variant into NAME/out")
    ap.add_argument("--audit", action="store_true", help="build and audit each variant, one row per variant")
    ap.add_argument("--table", type=Path, help="with --audit: write the variant x rule table (Markdown) here")
    args = ap.parse_args(argv)
    names = args.names or list(VARIANTS)
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        ap.error(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    tool = _audit_tool() if args.audit or args.table else None
    status, results = 0, {}
    for name in names:
        folder = write_variant(name, args.outdir)
        if not (args.build or args.audit):
            print(folder)
            continue
        try:
            out = build_variant(folder)
        except RuntimeError as exc:
            print(f"{name:<12} build failed: {str(exc).splitlines()[-1]}")
            status = 1
            continue
        if tool is None:
            print(out)
            continue
        reports = audit_variant(out, tool)
        results[name] = reports
        pages = reports.get("brochure.pdf", {}).get("pages", 0)
        total: dict[str, int] = {}
        for r in reports.values():
            for rule, n in r["summary"].items():
                total[rule] = total.get(rule, 0) + n
        cells = ", ".join(f"{k} {v}" for k, v in sorted(total.items())) or "no findings"
        print(f"| {name} | {pages} | {cells} |", flush=True)
        status = max(status, 1 if total else 0)
    if args.table:
        args.table.write_text(findings_table(results) + "\n", encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
