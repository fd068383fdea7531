"""Property test: the offset invariant on random noisy mixed text, whole pipeline."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsclaims.pipeline import analyze

PIECES = [
    "OpenAI", "微軟", "微软", "營收", "亏损", "约", "超过", "13", "5.4", "億", "亿", "万", "美元", "美金", "元", "港元",
    "$", "US$", "1.3 billion", "million", "%", "％", "１３", "倍", "用户", "2023年", "5月4日", "去年", "今年二季度",
    "開(kāi)始", "問(wèn)題", "</p>", "?!?/p>", "![](https://x.com/a/20231015.png)", "https://t.co/x", "\n", "\n\n",
    "。", "，", ",", " ", "\u00a0", "\u3000", "據The Information報道", "according to", "Scroll to Top", "发表评论",
    "數(shù)百億美元", "三十几万元", "百分之十五", "€4bn", "about $540M", "5.6到5.78元", "\ufeff", "🙂", "e\u0301",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), min_size=1, max_size=40),
       st.sampled_from([None, "2023-10-16", "2024-08-07T09:30"]))
def test_every_span_of_random_text_indexes_the_original(parts, published):
    text = "".join(parts)
    out = analyze(text, published=published)
    assert out["text"] == text
    for m in out["mentions"]:
        assert 0 <= m["start"] < m["end"] <= len(text)
        assert text[m["start"]:m["end"]] == m["text"], m
    for c in out["claims"]:
        for part in ("subject", "source", "evidence"):
            span = c.get(part)
            if span:
                assert text[span["start"]:span["end"]] == span["text"], (part, c)
