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
import time

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .extract import ALL_KINDS, ExtractContext, get_extractor

log = logging.getLogger(__name__)

__all__ = ["get_nlp", "run_pipeline", "CTX_KEY", "DRAFTS_KEY"]

CTX_KEY = "nc_ctx"
DRAFTS_KEY = "nc_drafts"
_SENT_END = frozenset("。！？!?；;…\n")


@Language.component("newsclaims_sentences")
def sentence_boundaries(doc: Doc) -> Doc:
    """A new sentence starts after 。！？!?；… or a line break (set in one array write:
    assigning ``token.is_sent_start`` one by one is quadratic in spaCy)."""
    if not len(doc):
        return doc
    starts = numpy.full((len(doc), 1), -1, dtype="int64")
    starts[0, 0] = 1
    prev_end = False
    for i, text in enumerate(tok.text for tok in doc):
        if prev_end:
            starts[i, 0] = 1
        stripped = text.strip(" \t\"'”’」』)")
        prev_end = bool(stripped) and stripped[-1] in _SENT_END or "\n" in text
    doc.from_array([SENT_START], starts.astype("uint64"))
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
        doc.user_data.setdefault(DRAFTS_KEY, []).extend(self.fn(doc.text, ctx))
        return doc


@Language.factory("newsclaims_extractor", default_config={"kind": "money"})
def make_extractor(nlp: Language, name: str, kind: str) -> ExtractorComponent:
    if kind not in ALL_KINDS:
        raise ValueError(f"E-NC001 unknown extractor kind {kind!r}; choose one of {', '.join(ALL_KINDS)}")
    return ExtractorComponent(kind)


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
    for name, proc in nlp.pipeline:
        t0 = time.perf_counter()
        doc = proc(doc)
        if timings is not None:
            key = "segment" if name == "newsclaims_sentences" else f"extract.{name}"
            timings[key] = timings.get(key, 0.0) + time.perf_counter() - t0
    return doc
