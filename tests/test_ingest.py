import codecs
import json

import pytest

from newsclaims.ingest import Article, IngestError, decode_bytes, header_meta, iter_corpus

ZH = "微软今年营收约13亿美元，同比增长15%。" * 20
ZH_TRAD = "微軟今年營收約13億美元，同比增長15%。" * 20


@pytest.mark.parametrize("data,expected", [
    (ZH.encode("utf-8"), ZH),
    (codecs.BOM_UTF8 + ZH.encode("utf-8"), ZH),
    (ZH.encode("utf-16"), ZH),
    (ZH.encode("gb18030"), ZH),
    (ZH.encode("gbk"), ZH),
    (ZH_TRAD.encode("big5"), ZH_TRAD),
], ids=["utf8", "utf8-bom", "utf16", "gb18030", "gbk", "big5"])
def test_encodings_decode_to_the_same_text(data, expected):
    text, enc, warnings = decode_bytes(data)
    assert text == expected


def test_truncated_utf8_keeps_the_complete_characters_and_warns():
    data = ZH.encode("utf-8")[:-2]  # cut inside the last character
    text, enc, warnings = decode_bytes(data)
    assert text == ZH[:-1] and enc == "utf-8"
    assert warnings and "truncated" in warnings[0]


@pytest.mark.parametrize("data,code", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (bytes(range(256)) * 40, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500), "binary"),
], ids=["empty", "whitespace", "all-bytes", "png"])
def test_bad_bytes_raise_a_coded_error(data, code):
    with pytest.raises(IngestError) as exc:
        decode_bytes(data)
    assert exc.value.code == code


def test_header_date_and_title_from_seed_000_style_header():
    meta = header_meta("# 900亿美元超级独角兽\n**格隆汇**\n\n**2023-10-16 01:35**\n\n正文")
    assert meta == {"title": "900亿美元超级独角兽", "published": "2023-10-16T01:35"}


def test_corpus_walk_reports_bad_files_and_keeps_good_ones(tmp_path):
    (tmp_path / "a.txt").write_text(ZH, "utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "x1", "text": ZH, "published": "2023-05-06"}, ensure_ascii=False)
                                      + "\n{broken json\n" + json.dumps({"id": "x2"}) + "\n", "utf-8")
    (tmp_path / "manifest.jsonl").write_text(json.dumps({"file": "a.txt", "published": "2023-01-02", "outlet": "X"}) + "\n")
    got = list(iter_corpus(tmp_path, {"a.txt": {"file": "a.txt", "published": "2023-01-02", "outlet": "X"}}))
    arts = [g for g in got if isinstance(g, Article)]
    errs = {g[0]: g[2].code for g in got if not isinstance(g, Article)}
    assert [a.article_id for a in arts] == ["a", "d__x1"]
    assert arts[0].meta["published"] == "2023-01-02" and arts[0].meta["published_source"] == "manifest"
    assert arts[1].meta["published"] == "2023-05-06"
    assert errs == {"b.txt": "empty", "c.pdf": "unsupported", "d.jsonl:2": "bad_line", "d.jsonl:3": "bad_line"}


def test_html_main_text_is_the_original(tmp_path):
    html = ("<html><head><title>OpenAI 营收</title></head><body><nav>首页 | 科技</nav><article><h1>OpenAI 营收</h1>"
            "<p>据The Information报道，OpenAI今年营收预计将达到13亿美元。</p>"
            "<p>该公司去年亏损约5.4亿美元，估值达到900亿美元。</p></article>"
            "<footer>版权所有</footer></body></html>")
    (tmp_path / "p.html").write_text(html, "utf-8")
    (art,) = list(iter_corpus(tmp_path))
    assert isinstance(art, Article)
    assert "13亿美元" in art.text and "<p>" not in art.text
