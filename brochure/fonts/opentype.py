"""Read the few OpenType layout features we need straight from the source font.

We never ask fontTools' subsetter to carry GSUB/GPOS along (that costs seconds
for a CJK font); instead this module looks up, for just the glyphs we use:

* ``halt`` (GPOS): how much of a full-width punctuation mark's em box is
  empty on the left and the right;
* ``vert`` (GSUB): the glyph to draw in vertical writing;
* ``fwid`` / ``locl`` (GSUB): the full-width form of a mark that the cmap
  maps to a proportional glyph (Noto CJK SC's ``·`` and ``—``).

Only single substitutions and single adjustments are read; those are what
CJK fonts use for these features.  Every subtable of every lookup is read.
"""
from __future__ import annotations

ZH_SCRIPTS = ("hani", "DFLT", "latn")
ZH_LANG = "ZHS "


def feature_lookups(table, feature: str, lang: str = ZH_LANG) -> list[int]:
    """Lookup indices of ``feature`` for Han script and the given language system.

    Falls back to the script's default language system, then to any feature
    record with that tag.
    """
    if table is None or table.FeatureList is None:
        return []
    records = table.FeatureList.FeatureRecord
    scripts = {sr.ScriptTag: sr.Script for sr in table.ScriptList.ScriptRecord}
    for tag in ZH_SCRIPTS:
        script = scripts.get(tag)
        if script is None:
            continue
        langsys = next((r.LangSys for r in script.LangSysRecord if r.LangSysTag == lang), None)
        for ls in (langsys, script.DefaultLangSys):
            if ls is None:
                continue
            found = [records[i].Feature.LookupListIndex for i in ls.FeatureIndex
                     if records[i].FeatureTag == feature]
            if found:
                return [li for lookups in found for li in lookups]
    for rec in records:
        if rec.FeatureTag == feature:
            return list(rec.Feature.LookupListIndex)
    return []


def _subtables(lookup):
    """The real subtables of a lookup, with Extension wrappers removed."""
    for st in lookup.SubTable:
        yield getattr(st, "ExtSubTable", st)


def single_substitutions(gsub_table, lookups: list[int]) -> list[dict[str, str]]:
    """One glyph->glyph mapping per lookup (single substitutions only), in order."""
    out = []
    for li in lookups:
        mapping: dict[str, str] = {}
        for st in _subtables(gsub_table.LookupList.Lookup[li]):
            m = getattr(st, "mapping", None)
            if m:
                for k, v in m.items():
                    mapping.setdefault(k, v)   # first subtable wins, as in a shaper
        out.append(mapping)
    return out


def substitute(glyph: str, mappings: list[dict[str, str]]) -> str:
    """Apply a sequence of single-substitution lookups to one glyph."""
    for m in mappings:
        glyph = m.get(glyph, glyph)
    return glyph


def single_adjustments(gpos_table, lookups: list[int]) -> dict[str, tuple[int, int]]:
    """(XPlacement, XAdvance) in font units for each glyph that the lookups move.

    Within one lookup the first subtable covering a glyph applies; lookups add up.
    """
    result: dict[str, tuple[int, int]] = {}
    for li in lookups:
        lookup = gpos_table.LookupList.Lookup[li]
        done: set[str] = set()
        for st in _subtables(lookup):
            if getattr(st, "LookupType", lookup.LookupType) != 1 or st.Coverage is None:
                continue
            coverage = st.Coverage.glyphs
            for pos, glyph in enumerate(coverage):
                if glyph in done:
                    continue
                value = st.Value if st.Format == 1 else st.Value[pos]
                dx = getattr(value, "XPlacement", 0) or 0
                da = getattr(value, "XAdvance", 0) or 0
                px, pa = result.get(glyph, (0, 0))
                result[glyph] = (px + dx, pa + da)
                done.add(glyph)
    return result
