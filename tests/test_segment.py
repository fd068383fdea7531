"""Segmentation: the spaCy tokenizer gives jieba's tokens (HMM off) on real text."""
from __future__ import annotations

import logging

import jieba
import pytest

from nc_testutil import corpus_articles
from newsclaims.segment import JiebaRoute, get_nlp, run_pipeline
from newsclaims.extract import ExtractContext

jieba.setLogLevel(logging.WARNING)

#: made-up mixed text: jieba's ASCII dictionary words (AT&T, C++, C#), glued
#: letters/digits, CR LF, full-width space, ideographs outside jieba's block range
MIXED = ("GPT-4 and 5.4% of OpenAI, iPhone 15 Pro!  x\r\ny B站的iPhone手机 AT&T用C++写 C#\n"
         "〇㐀 營收grew 5%小米\r\n\r\n \u3000全角，末尾")


def jieba_tokens(text: str) -> list[str]:
    return [w for w in jieba.cut(text, cut_all=False, HMM=False) if w]


@pytest.fixture(scope="module")
def nlp():
    return get_nlp("zh", ("money",))  # loads the gazetteer's user words into jieba


@pytest.mark.parametrize("path", corpus_articles(), ids=lambda p: p.name)
def test_tokens_equal_jieba_on_every_corpus_article(nlp, path):
    text = path.read_text("utf-8")
    words = nlp.tokenizer.words(text)
    assert words == jieba_tokens(text)
    assert "".join(words) == text


def test_tokens_equal_jieba_on_mixed_text(nlp):
    words = nlp.tokenizer.words(MIXED)
    assert words == jieba_tokens(MIXED)
    assert "AT&T" in words and "C++" in words and "\r\n" in words and "OpenAI" in words
    doc = nlp.make_doc(MIXED)
    assert [t.text for t in doc] == words and doc.text == MIXED


def test_added_words_reach_the_route(nlp):
    word, text = "啵嘞咔嚓", "他说啵嘞咔嚓会涨价"
    route = JiebaRoute()
    assert word not in route.cut(text)
    jieba.add_word(word, 10_000)
    try:
        assert word in route.cut(text)
        assert route.cut(text) == jieba_tokens(text)
    finally:
        jieba.del_word(word)
    assert word not in route.cut(text)


def test_sentences_follow_the_text(nlp):
    doc = run_pipeline("OpenAI在2022年亏损约5.4亿美元。它说：“明年会好！”\nNext line", ExtractContext(lang="zh"),
                       ("money",))
    assert [s.text for s in doc.sents] == ["OpenAI在2022年亏损约5.4亿美元。", "它说：“明年会好！”\n", "Next line"]
