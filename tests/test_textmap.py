import pytest

from newsclaims.normalize import normalize
from newsclaims.textmap import MappedText, OffsetError


def check_invariants(mt: MappedText):
    assert len(mt.starts) == len(mt.ends) == len(mt.text)
    for i in range(len(mt.text)):
        assert 0 <= mt.starts[i] < mt.ends[i] <= len(mt.original)
    # maps are monotone: a processed span never maps to a reversed original span
    assert list(mt.starts) == sorted(mt.starts)


def test_identity_maps_each_char_to_itself():
    mt = MappedText.identity("OpenAI亏损5.4亿美元")
    assert mt.to_original(6, 14) == (6, 14)
    check_invariants(mt)


def test_deletion_keeps_map_exact():
    original = "開(kāi)始虧損5.4億美元"
    mt = MappedText.identity(original).apply([(1, 6, "")])
    assert mt.text == "開始虧損5.4億美元"
    s = mt.text.index("5.4")
    o_start, o_end = mt.to_original(s, len(mt.text))
    assert original[o_start:o_end] == "5.4億美元"
    # a span across the deleted gloss covers it in the original
    assert mt.to_original(0, 2) == (0, 7)
    check_invariants(mt)


def test_length_changing_replacement_widens_to_whole_unit():
    mt = MappedText.identity("a?!?/p>b").apply([(1, 4, "?”"), (4, 7, "")])
    assert mt.text == "a?”b"
    assert mt.to_original(1, 3) == (1, 4)
    assert mt.to_original(3, 4) == (7, 8)


def test_overlapping_edits_are_refused():
    with pytest.raises(OffsetError):
        MappedText.identity("abcdef").apply([(0, 3, ""), (2, 4, "")])


def test_span_outside_text_is_refused():
    with pytest.raises(OffsetError):
        MappedText.identity("abc").to_original(2, 5)


@pytest.mark.parametrize("config", ["t2s", "tw2sp", "hk2s"])
def test_opencc_configs_keep_the_map(config):
    # tw2sp rewrites phrases (滑鼠 -> 鼠标, 軟體 -> 软件), changing the length
    original = "微軟的滑鼠和軟體部門今年營收約１３億美元，同比增長１５％。"
    mt = normalize(MappedText.identity(original), config)
    check_invariants(mt)
    s = mt.text.index("13亿美元")
    o_start, o_end = mt.to_original(s, s + len("13亿美元"))
    assert original[o_start:o_end] == "１３億美元"
    p = mt.text.index("15%")
    assert original[slice(*mt.to_original(p, p + 3))] == "１５％"


def test_tw2sp_changes_length_and_still_maps_words():
    original = "他用滑鼠打開軟體。"
    mt = normalize(MappedText.identity(original), "tw2sp")
    assert "鼠标" in mt.text and "软件" in mt.text
    i = mt.text.index("软件")
    assert original[slice(*mt.to_original(i, i + 2))] == "軟體"


def test_script_detection_counts_changed_characters_exactly():
    """detect_script counts the characters t2s changes with a big-integer XOR; it must
    agree with a plain character-by-character count, astral characters and lone
    surrogates included, and classify the corpus as its articles are written."""
    import random

    from nc_testutil import CORPUS
    from newsclaims.normalize import _count_differences, detect_script

    rng = random.Random(7)
    pool = "中國国語语 a\U00020000\U0001F600\ud800\udfff\x00\u00ff\u0100"
    for _ in range(2000):
        n = rng.randrange(0, 40)
        a = "".join(rng.choice(pool) for _ in range(n))
        b = "".join(c if rng.random() < 0.6 else rng.choice(pool) for c in a)
        assert _count_differences(a, b) == sum(x != y for x, y in zip(a, b)), (a, b)
    scripts = {p.name[:3]: detect_script(p.read_text("utf-8")) for p in sorted(CORPUS.glob("*.txt"))}
    assert scripts == {"000": "hans", "001": "hans", "002": "hant", "003": "hans", "004": "hant"}
    assert detect_script("OpenAI said revenue rose.") == "latin"
