"""A build session keeps preflight's reading of each page: an unchanged page is not read again
(PDFium is not even loaded), and the reports are the same.  (Between one-shot builds the readings
are to be kept in the cache store once preflight takes one.)"""
from __future__ import annotations

import json

import pytest

import brochure.build as pipeline
from brochure.build import Session
from brochure.press import preflight as pf
from test_layout_store import project


@pytest.fixture
def counting(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    walked, extracted = [], []
    real_walk, real_text = pf._walk, pf._check_text_and_qr

    def walk(*args, **kwargs):
        walked.append(args[3])
        return real_walk(*args, **kwargs)

    def text(pdf, report, expect_urls, qr_regions=None, pages_read=None):
        before = [r.han if r is not None else None for r in (pages_read or [])]
        real_text(pdf, report, expect_urls, qr_regions, pages_read)
        extracted.append(sum(1 for b in before if b is None) if pages_read is not None else -1)

    monkeypatch.setattr(pf, "_walk", walk)
    monkeypatch.setattr(pf, "_check_text_and_qr", text)
    return walked, extracted


def reports(out):
    return {p.name: json.loads(p.read_text(encoding="utf-8"))["checks"] for p in sorted(out.glob("*.preflight.json"))}


def test_unchanged_pages_are_not_read_again(tmp_path, counting):
    walked, extracted = counting
    path = project(tmp_path / "p")
    session = Session()
    pipeline.build(path, tmp_path / "one", jobs=1, session=session)
    assert walked and all(extracted)                    # the first build reads every page
    walked.clear()
    extracted.clear()
    pipeline.build(path, tmp_path / "two", jobs=1, session=session)
    assert walked == [] and extracted == [0, 0]          # brochure and poster: nothing read again
    assert reports(tmp_path / "one") == reports(tmp_path / "two")

    walked.clear()
    pipeline.build(path, tmp_path / "three", jobs=1)      # a new session reads them from scratch
    assert walked
    assert reports(tmp_path / "one") == reports(tmp_path / "three")
