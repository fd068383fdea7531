"""Stage `segment` (and the spaCy wrapping of the extractors).

One spaCy ``Language`` per language and process, built on first use and kept
(``get_nlp``): blank ``zh`` with the jieba segmenter, blank ``en``.  Sentence
boundaries come from a small rule component; each extractor is a spaCy component
(factory ``newsclaims_extractor``) that runs the extractor function on ``doc.text``
and appends its drafts to ``doc.user_data["nc_drafts"]``.
"""
from __future__ import annotations

import functools
import logging
import math
import time

import numpy
import spacy
import regex
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .extract import ALL_KINDS, ExtractContext, get_extractor

log = logging.getLogger(__name__)

__all__ = ["get_nlp", "run_pipeline", "sentence_spans", "CTX_KEY", "DRAFTS_KEY", "SENTS_KEY"]

CTX_KEY = "nc_ctx"
DRAFTS_KEY = "nc_drafts"
SENTS_KEY = "nc_sentences"
TEXT_KEY = "nc_text"


#: a sentence ends after a run of these, with closing quotes/brackets kept in it
_SENT_END_RE = regex.compile(r"(?:[。！？!?…]+[”’」』)）\"']*\s*|\n\s*)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (covering it without gaps)."""
    spans, start = [], 0
    for m in _SENT_END_RE.finditer(text):
        if m.end() > start:
            spans.append((start, m.end()))
            start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _text(doc: Doc) -> str:
    """``doc.text`` rebuilds the string from every token (a Python object each);
    run_pipeline keeps the string it tokenised instead."""
    text = doc.user_data.get(TEXT_KEY)
    return text if text is not None else doc.text


@Language.component("newsclaims_sentences")
def sentence_boundaries(doc: Doc) -> Doc:
    """A new sentence starts after 。！？!?… (and closing quotes) or a line break;
    a semicolon only separates clauses (营收为529亿美元；净利润为183亿美元 is one
    sentence about one quarter).

    Boundaries are found on the text and written in one array: touching
    ``token.is_sent_start`` (or iterating tokens) per token costs a Python object
    per token and is quadratic in spaCy.  The character spans are also kept in
    ``doc.user_data["nc_sentences"]`` for the claim builder.
    """
    if not len(doc):
        doc.user_data[SENTS_KEY] = []
        return doc
    spans = sentence_spans(_text(doc))
    idx = doc.to_array([IDX]).astype("int64").ravel()
    starts = numpy.full((len(doc), 1), -1, dtype="int64")
    cut = numpy.searchsorted(idx, [s for s, _ in spans], side="left")
    starts[numpy.unique(numpy.clip(cut, 0, len(doc) - 1)), 0] = 1
    starts[0, 0] = 1
    doc.from_array([SENT_START], starts.astype("uint64"))
    doc.user_data[SENTS_KEY] = spans
    return doc


class ExtractorComponent:
    """Runs one extractor over ``doc.text``; drafts are in processed-text offsets."""

    def __init__(self, kind: str):
        self.kind = kind
        self.fn = get_extractor(kind)

    def __call__(self, doc: Doc) -> Doc:
        if self.fn is None:
            return doc
        ctx = doc.user_data.get(CTX_KEY) or ExtractContext()
        doc.user_data.setdefault(DRAFTS_KEY, []).extend(self.fn(_text(doc), ctx))
        return doc


@Language.factory("newsclaims_extractor", default_config={"kind": "money"})
def make_extractor(nlp: Language, name: str, kind: str) -> ExtractorComponent:
    if kind not in ALL_KINDS:
        raise ValueError(f"E-NC001 unknown extractor kind {kind!r}; choose one of {', '.join(ALL_KINDS)}")
    return ExtractorComponent(kind)


#: what jieba cuts with its dictionary (jieba's ``re_han_default``): runs of CJK
#: ideographs U+4E00..U+9FD5, ASCII letters and digits, and ``+#&._%-``.  Every
#: other character is a token of its own (CR LF is one token), as in jieba.
_BLOCK_OR_CHAR = regex.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+|\r\n|.", regex.S)
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class JiebaRoute:
    """jieba's dictionary segmentation (``jieba.cut(text, HMM=False)``), same tokens,
    about twice as fast.

    jieba builds a DAG of the dictionary words starting at each character, then a
    right-to-left pass picks the route with the highest summed log frequency (on a
    tie, the longer word), and finally glues consecutive single ASCII letters and
    digits into one token.  Here the DAG is never materialised: the right-to-left
    pass scans the words starting at each position itself, and word log
    probabilities are computed once per word and kept (jieba recomputes ``log``
    for every candidate of every position).  The dictionary, user words included,
    is jieba's own (``jieba.dt.FREQ``); the cache is dropped when jieba's total
    frequency changes (``jieba.add_word``).  tests/test_segment.py checks the
    tokens against ``jieba.cut`` on every corpus article.
    """

    def __init__(self):
        import jieba

        self._dt = jieba.dt
        self._total = None
        self._logp: dict[str, float] = {}
        self._unknown = 0.0

    def _sync(self) -> dict:
        dt = self._dt
        dt.check_initialized()
        if dt.total != self._total:
            self._total = dt.total
            self._logp = {}
            self._unknown = 0.0 - math.log(dt.total)  # log(1) - log(total), as jieba
        return dt.FREQ

    def cut(self, text: str) -> list[str]:
        freq = self._sync()
        out: list[str] = []
        block = self._block
        for m in _BLOCK_OR_CHAR.finditer(text):
            tok = m.group()
            if len(tok) > 1 and tok != "\r\n":
                block(tok, freq, out)
            else:
                # a single character is its own route, whatever the dictionary says
                out.append(tok)
        return out

    def _block(self, s: str, freq: dict, out: list[str]) -> None:
        n = len(s)
        known, log_total = self._logp, math.log(self._total)
        known_get, freq_get = known.get, freq.get
        best = [0.0] * (n + 1)      # best[i]: score of the best route of s[i:]
        step = [0] * n              # step[i]: end of the first word of that route
        for i in range(n - 1, -1, -1):
            top, end = None, i + 1
            j = i + 1
            frag = s[i]
            while True:             # the dictionary holds every prefix of its words
                f = freq_get(frag)  # read live: jieba.del_word sets 0 and keeps the total
                if f is None:
                    break
                if f:
                    lp = known_get(frag)
                    if lp is None:
                        lp = known[frag] = math.log(f) - log_total
                    score = lp + best[j]
                    if top is None or score >= top:
                        top, end = score, j
                if j == n:
                    break
                j += 1
                frag = s[i:j]
            best[i] = top if top is not None else self._unknown + best[i + 1]
            step[i] = end
        x, glue = 0, ""
        while x < n:
            y = step[x]
            if y == x + 1 and s[x] in _ASCII_ALNUM:
                glue += s[x]
            else:
                if glue:
                    out.append(glue)
                    glue = ""
                out.append(s[x:y])
            x = y
        if glue:
            out.append(glue)


class JiebaTokenizer:
    """jieba inside spaCy, with jieba's HMM for unknown words switched off.

    No extractor reads tokens (they match on the text, DESIGN.md), and the
    gazetteer's names are in jieba's user dictionary, so HMM new-word discovery buys
    nothing here and costs a third of the segmentation time (jieba.lcut on the
    corpus: 0.79 MB/s with HMM, 1.18 MB/s without).  Without the HMM the tokens
    come from JiebaRoute (jieba's dictionary route, same tokens, twice as fast);
    with ``hmm=True`` from ``jieba.cut`` itself.  Tokens rebuild the text exactly.
    """

    def __init__(self, vocab, hmm: bool = False):
        import jieba

        self.vocab = vocab
        self.hmm = hmm
        self._route = None if hmm else JiebaRoute()
        self._cut = jieba.cut

    def words(self, text: str) -> list[str]:
        if self._route is not None:
            return self._route.cut(text)
        return [w for w in self._cut(text, cut_all=False, HMM=True) if w]

    def __call__(self, text: str) -> Doc:
        words = self.words(text)
        return Doc(self.vocab, words=words, spaces=[False] * len(words))


def _load_user_words() -> None:
    """Give jieba the gazetteer's names so it keeps them whole (every process)."""
    try:
        from .extract.entity import jieba_userdict_entries
    except ImportError:
        return
    import jieba

    for word, freq, tag in jieba_userdict_entries():
        jieba.add_word(word, freq, tag)


@functools.cache
def get_nlp(lang: str, kinds: tuple[str, ...]) -> Language:
    """The pipeline for ``lang`` ("zh" also serves "mixed") with the given extractors."""
    if lang == "en":
        nlp = spacy.blank("en")
    else:
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        nlp.tokenizer = JiebaTokenizer(nlp.vocab, hmm=False)
        _load_user_words()
    nlp.add_pipe("newsclaims_sentences")
    for kind in kinds:
        nlp.add_pipe("newsclaims_extractor", name=kind, config={"kind": kind})
    log.debug("built spaCy pipeline %s for %s", nlp.pipe_names, lang)
    return nlp


def run_pipeline(text: str, ctx: ExtractContext, kinds: tuple[str, ...],
                 timings: dict[str, float] | None = None) -> Doc:
    """Tokenise and run every component; adds seconds per step to ``timings`` if given."""
    nlp = get_nlp("en" if ctx.lang == "en" else "zh", kinds)
    t0 = time.perf_counter()
    doc = nlp.make_doc(text)
    if timings is not None:
        timings["segment"] = timings.get("segment", 0.0) + time.perf_counter() - t0
    doc.user_data[CTX_KEY] = ctx
    doc.user_data[DRAFTS_KEY] = []
    doc.user_data[TEXT_KEY] = text
    for name, proc in nlp.pipeline:
        t0 = time.perf_counter()
        doc = proc(doc)
        if timings is not None:
            key = "segment" if name == "newsclaims_sentences" else f"extract.{name}"
            timings[key] = timings.get(key, 0.0) + time.perf_counter() - t0
    return doc
