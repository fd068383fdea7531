"""The hand gold is well-formed, indexes the original text, and covers the corpus."""
import pytest

from newsclaims.evaluate import check_gold, evaluate, load_gold
from newsclaims.ingest import iter_corpus

from nc_testutil import CORPUS, ROOT

GOLD = ROOT / "annotations" / "gold"


@pytest.fixture(scope="module")
def texts():
    return {a.article_id: a.text for a in iter_corpus(CORPUS) if not isinstance(a, tuple)}


def test_gold_files_have_no_problems(texts):
    assert check_gold(GOLD, texts) == []


def test_gold_covers_every_corpus_article(texts):
    mentions, _ = load_gold(GOLD)
    assert set(texts) <= set(mentions)
    for aid in texts:
        kinds = {m["kind"] for m in mentions[aid]}
        assert {"money", "date"} <= kinds, aid


def test_checker_catches_a_shifted_span(tmp_path, texts):
    line = (GOLD / "000_29641b6c5d62fb85.jsonl").read_text("utf-8").splitlines()[0]
    import json

    rec = json.loads(line)
    rec["start"] += 1
    rec["end"] += 1
    (tmp_path / "000_29641b6c5d62fb85.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n", "utf-8")
    problems = check_gold(tmp_path, texts)
    assert len(problems) == 1 and "!= original" in problems[0]


def test_evaluate_scores_gold_against_itself_perfectly_and_a_wrong_amount_as_error(texts):
    mentions, _ = load_gold(GOLD)
    aid = "000_29641b6c5d62fb85"
    arts = {aid: {"mentions": mentions[aid]}}
    rep = evaluate(arts, {aid: mentions[aid]})
    assert all(r["f1"] == 1.0 for r in rep.rows)
    import copy

    broken = copy.deepcopy(mentions[aid])
    money = [m for m in broken if m["kind"] == "money"]
    money[0]["amount"] = (money[0]["amount"] or 0) * 10 + 1
    rep = evaluate({aid: {"mentions": broken}}, {aid: mentions[aid]})
    row = next(r for r in rep.rows if r["mode"] == "strict" and r["kind"] == "money" and r["group"] == "all")
    assert row["tp"] == len(money) - 1 and row["fn"] == 1 and row["fp"] == 1
