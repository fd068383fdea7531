"""The ledger (claims across articles), its HTML report and the schema.org export, on a hand-made store."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from newsclaims import ledger as L
from newsclaims.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
Y2022 = ("2022-01-01", "2022-12-31")
Y2023 = ("2023-01-01", "2023-12-31")

# (article_id, published, outlet, title, url, [claim spec, ...]); a claim spec is
# (subject, metric, value_text, amount, currency, qualifier, period, source, hedge, extra)
ARTICLES = [
    ("a1", "2023-01-10", "36氪", "OpenAI 亏损", "https://example.com/a1", [
        ("OpenAI", "loss", "5.4亿美元", 540e6, "USD", "approx", Y2022, "The Information", "reported", {})]),
    ("a2", "2023-05-05", "界面新闻", None, None, [
        ("OpenAI", "loss", "5.4亿美元", 540e6, "USD", "exact", Y2022, "财新", "reported", {})]),
    ("a3", "2023-05-06", "Reuters", "OpenAI lost $540 million", "javascript:alert(1)", [
        ("OpenAI", "loss", "$540 million", 540e6, "USD", "exact", Y2022, "Fortune", "reported", {})]),
    ("a4", "2023-08-30", "路透社", None, None, [
        ("OpenAI", "revenue", "13亿美元", 1.3e9, "USD", "exact", Y2023, None, "asserted", {}),
        ("OpenAI", "annualized_revenue", "16亿美元", 1.6e9, "USD", "exact", Y2023, None, "asserted", {})]),
    ("a5", "2023-10-12", "A&B <Research>", None, None, [
        ("OpenAI", "revenue", "20亿美元", 2.0e9, "USD", "exact", Y2023, "A&B <Research>", "forecast",
         {"evidence": "<script>alert(1)</script> OpenAI 2023年收入将达20亿美元"})]),
    ("a6", "2024-03-20", "新浪财经", None, None, [
        ("百度", "revenue", "1345亿元", 134.5e9, "CNY", "exact", Y2023, None, "asserted", {}),
        (None, "revenue", "3亿元", 3e8, "CNY", "exact", Y2023, None, "asserted", {})]),
    ("a7", "2024-03-21", "Bloomberg", None, None, [
        ("百度", "revenue", "190亿美元", 19e9, "USD", "approx", Y2023, None, "asserted", {}),
        ("百度", "revenue", "190亿美元", 19e9, "USD", "approx", Y2023, None, "asserted", {"duplicate_of": "x"})]),
    ("a8", "2024-01-02", None, None, None, [
        ("Anthropic", "valuation", "数十亿美元", None, "USD", "vague", None, None, "reported",
         {"low": 1e9, "high": 9e9})]),
]


def _claims_and_articles():
    claims, articles = [], []
    for aid, published, outlet, title, url, specs in ARTICLES:
        text_parts, mentions, cids = [], [], []
        for n, (subj, metric, vtext, amount, cur, qual, period, source, hedge, extra) in enumerate(specs):
            sentence = extra.get("evidence") or f"{source or ''}称{subj or '该公司'}{metric}{vtext}。"
            start = sum(len(p) for p in text_parts)
            text_parts.append(sentence)
            vs = start + sentence.index(vtext)
            mid = f"{aid}/money/{vs}-{vs + len(vtext)}"
            mentions.append({"mention_id": mid, "kind": "money", "text": vtext, "start": vs, "end": vs + len(vtext),
                             "amount": amount, "currency": cur})
            ss = start + sentence.index(subj) if subj else None
            if subj:
                mentions.append({"mention_id": f"{aid}/entity/{ss}", "kind": "entity", "text": subj, "start": ss,
                                 "end": ss + len(subj), "label": "ORG", "canonical": subj})
            cid = f"{aid}-c{n}"
            cids.append(cid)
            claims.append({
                "schema": "newsclaims.claim/1", "claim_id": cid, "article_id": aid,
                "subject": None if subj is None else {"text": subj, "canonical": subj,
                                                      "entity_id": "Q21708200" if subj == "OpenAI" else None,
                                                      "start": ss, "end": ss + len(subj)},
                "metric": metric,
                "value": {"mention_id": mid, "text": vtext, "amount": amount, "currency": cur, "qualifier": qual,
                          "low": extra.get("low"), "high": extra.get("high"), "rate": None},
                "time": None if period is None else {"mention_id": f"{aid}/date/{n}", "text": period[0][:4] + "年",
                                                     "interval_start": period[0], "interval_end": period[1],
                                                     "grain": "year"},
                "source": None if source is None else {"text": source, "canonical": source, "start": start,
                                                       "end": start + len(source)},
                "hedge": hedge, "negated": extra.get("negated", False),
                "evidence": {"text": sentence, "start": start, "end": start + len(sentence)},
                "confidence": 0.8, "rule": "test", "duplicate_of": extra.get("duplicate_of")})
        articles.append({"schema": "newsclaims.article/1", "article_id": aid, "text": "".join(text_parts),
                         "meta": {"title": title, "url": url, "outlet": outlet, "author": None,
                                  "published": published, "published_source": "manifest"},
                         "mentions": mentions, "claim_ids": cids})
    return claims, articles


def write_store(root: Path, claims=None, articles=None) -> Path:
    c, a = _claims_and_articles()
    claims, articles = claims if claims is not None else c, articles if articles is not None else a
    store = root / "store"
    store.mkdir(parents=True)
    (store / "claims.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in claims), "utf-8")
    (store / "articles.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in articles),
                                          "utf-8")
    return store


@pytest.fixture()
def built(tmp_path):
    claims, articles = L.load_store(write_store(tmp_path))
    groups, stats = L.build_ledger(claims, articles)
    return {(g.subject, g.metric, g.period): g for g in groups}, stats, claims, articles, groups


def test_groups_are_keyed_by_subject_metric_period(built):
    by_key, stats, *_ = built
    assert set(by_key) == {
        ("OpenAI", "loss", "2022-01-01/2022-12-31"),
        ("OpenAI", "revenue", "2023-01-01/2023-12-31"),
        ("OpenAI", "annualized_revenue", "2023-01-01/2023-12-31"),
        ("百度", "revenue", "2023-01-01/2023-12-31"),
        ("Anthropic", "valuation", "unknown"),
    }
    assert stats.duplicates_skipped == 1 and stats.no_subject_skipped == 1 and stats.claims_read == 11


def test_same_loss_in_three_articles_agrees(built):
    g = built[0][("OpenAI", "loss", "2022-01-01/2022-12-31")]
    assert g.status == "agree"
    assert (g.n_claims, g.n_articles, g.n_sources) == (3, 3, 3)
    assert len(g.clusters) == 1 and g.clusters[0].articles == ("a1", "a2", "a3")
    assert g.clusters[0].sources == ("Fortune", "The Information", "财新")
    assert g.entity_id == "Q21708200" and g.grain == "year"


def test_revenue_13_vs_20_conflicts_and_annualized_is_a_separate_related_metric(built):
    by_key = built[0]
    rev = by_key[("OpenAI", "revenue", "2023-01-01/2023-12-31")]
    ann = by_key[("OpenAI", "annualized_revenue", "2023-01-01/2023-12-31")]
    assert rev.status == "conflict"
    assert [(c.label, c.low, c.high) for c in rev.clusters] == [("A", 1.3e9, 1.3e9), ("B", 2.0e9, 2.0e9)]
    assert [v.cluster for v in rev.values] == ["A", "B"]
    assert ann.status == "single" and [v.amount for v in ann.values] == [1.6e9]
    assert rev.related == (("annualized_revenue", ann.group_id),)
    assert ann.related == (("revenue", rev.group_id),)


def test_currencies_are_never_merged(built):
    g = built[0][("百度", "revenue", "2023-01-01/2023-12-31")]
    assert g.status == "incomparable"
    assert [(c.bucket, c.low) for c in g.clusters] == [("CNY", 134.5e9), ("USD", 19e9)]


def test_vague_amount_with_unknown_period(built):
    g = built[0][("Anthropic", "valuation", "unknown")]
    assert g.status == "single" and g.interval_start is None
    assert (g.values[0].low, g.values[0].high, g.values[0].cluster) == (1e9, 9e9, "A")


def test_value_lists_sources_hedges_and_evidence_offsets(built):
    line = next(json.loads(s) for s in L.ledger_lines(built[4]) if '"loss"' in s)
    assert line["schema"] == "newsclaims.ledger/1"
    refs = [c for v in line["values"] for c in v["claims"]]
    assert [r["article_id"] for r in refs] == ["a1", "a2", "a3"]          # by publication date
    a1 = refs[0]
    assert a1["source"] == "The Information" and a1["hedge"] == "reported" and a1["outlet"] == "36氪"
    assert a1["evidence"]["start"] == 0 and a1["value_span"] is not None
    assert list(line) == ["schema", "group_id", "subject", "metric", "period", "status", "n_claims", "n_articles",
                          "n_sources", "related", "clusters", "values"]


def test_order_of_input_does_not_change_the_ledger(tmp_path):
    claims, articles = _claims_and_articles()
    first = "".join(L.ledger_lines(L.build_ledger(*L.load_store(write_store(tmp_path / "x", claims, articles)))[0]))
    random.Random(7).shuffle(claims)
    articles.reverse()
    second = "".join(L.ledger_lines(L.build_ledger(*L.load_store(write_store(tmp_path / "y", claims, articles)))[0]))
    assert first == second
    subjects = [json.loads(l)["subject"]["canonical"] for l in first.splitlines()]
    assert subjects == ["Anthropic", "OpenAI", "OpenAI", "OpenAI", "百度"]


def _v(amount=None, qualifier="exact", low=None, high=None, negated=False) -> L.LedgerValue:
    return L.LedgerValue("v", "money", "USD", None, None, qualifier, amount, low, high, negated, None, ())


# (a, b, agree?) with the default tolerances (5 %, 10 % when either is approximate)
AGREEMENT = [
    (_v(540e6), _v(540e6), True),
    (_v(540e6), _v(560e6), True),                          # 3.6 %
    (_v(1.3e9), _v(1.6e9), False),                         # 19 %
    (_v(5e8, "approx"), _v(5.4e8), True),                  # 7.4 % but approximate
    (_v(5e8), _v(5.4e8), False),                           # 7.4 %, both exact
    (_v(1e9, "over"), _v(1.3e9), True),                    # 超10亿 vs 13亿
    (_v(1e9, "under"), _v(1.3e9), False),                  # 不足10亿 vs 13亿
    (_v(None, "vague", 1e9, 9e9), _v(2e9), True),          # 数十亿 vs 20亿
    (_v(None, "range", 1e9, 2e9), _v(2.05e9), True),
    (_v(None, "range", 1e9, 2e9), _v(3e9), False),
    (_v(None, "exact"), _v(1e9), False),                   # no number: never agrees
]


@pytest.mark.parametrize("a,b,expected", AGREEMENT, ids=[f"{i}" for i in range(len(AGREEMENT))])
def test_agreement_table(a, b, expected):
    assert L._agree(a, b, L.DEFAULT_TOLERANCE, L.DEFAULT_APPROX_TOLERANCE) is expected
    assert L._agree(b, a, L.DEFAULT_TOLERANCE, L.DEFAULT_APPROX_TOLERANCE) is expected


def test_clusters_do_not_chain():
    claims = []
    for n, amount in enumerate((100.0, 104.0, 108.0, 112.0)):
        claims.append({"claim_id": f"c{n}", "article_id": f"a{n}", "subject": {"canonical": "X"}, "metric": "users",
                       "value": {"amount": amount, "currency": None, "qualifier": "exact"}, "time": None,
                       "hedge": "asserted", "negated": False, "evidence": {}})
    (g,), _ = L.build_ledger(claims)
    assert [v.cluster for v in g.values] == ["A", "A", "B", "B"] and g.status == "conflict"


def test_a_negated_claim_contradicts_the_value_it_denies():
    base = {"subject": {"canonical": "X"}, "metric": "loss", "time": None, "hedge": "asserted", "evidence": {}}
    claims = [dict(base, claim_id="c1", article_id="a1", negated=False,
                   value={"amount": 5.4e8, "currency": "USD", "qualifier": "exact"}),
              dict(base, claim_id="c2", article_id="a2", negated=True,
                   value={"amount": 5.4e8, "currency": "USD", "qualifier": "exact"})]
    (g,), _ = L.build_ledger(claims)
    assert g.status == "conflict" and [(v.negated, v.cluster) for v in g.values] == [(False, "A"), (True, "A")]


def test_html_report_is_escaped_offline_and_has_charts(tmp_path, built):
    by_key, stats, claims, articles, groups = built
    page = L.render_report(groups, stats, articles, store_label="st<ore>")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") >= 4
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "A&amp;B &lt;Research&gt;" in page and "st&lt;ore&gt;" in page
    assert "javascript:" not in page                        # unsafe article URL is not linked
    assert 'href="https://example.com/a1"' in page
    assert "≠ conflict" in page and 'class="conflict"' in page
    assert "<mark>5.4亿美元</mark>" in page
    assert "http" not in page.replace("https://example.com/a1", "").replace("http://www.w3.org/2000/svg", "")
    assert "annualized_revenue" in page.split('id="s-')[2]  # side by side with revenue in OpenAI's section


def _jsonld(built):
    _, _, claims, articles, groups = built
    return json.loads(json.dumps(L.claims_to_jsonld(claims, articles, groups), ensure_ascii=False))


def test_jsonld_claims_are_schema_org(built):
    objs = _jsonld(built)
    assert len(objs) == 10                                  # the repeated-block copy is left out
    for o in objs:
        assert o["@context"] == "https://schema.org" and o["@type"] == "Claim"
        assert o["text"] and o["appearance"]["@type"] == "CreativeWork" and o["datePublished"]
        assert o["@id"].startswith("urn:newsclaims:claim:")
        names = {p["name"] for p in o["additionalProperty"]}
        assert {"metric", "value", "qualifier", "period", "hedge", "negated"} <= names
        assert all(p["@type"] == "PropertyValue" for p in o["additionalProperty"])
    with_subject = [o for o in objs if "about" in o]
    assert len(with_subject) == 9
    assert {o["about"]["@type"] for o in with_subject} == {"Organization"}


def test_jsonld_author_first_appearance_and_values(built):
    objs = {o["identifier"]: o for o in _jsonld(built)}
    a3 = objs["a3-c0"]
    assert a3["author"] == {"@type": "Organization", "name": "Fortune"}
    assert a3["about"]["sameAs"] == "https://www.wikidata.org/wiki/Q21708200"
    assert a3["appearance"]["identifier"] == "a3" and a3["firstAppearance"]["identifier"] == "a1"
    assert a3["firstAppearance"]["url"] == "https://example.com/a1" and "url" not in a3["appearance"]
    props = {p["name"]: p for p in a3["additionalProperty"]}
    assert props["value"]["value"] == 540e6 and props["value"]["unitText"] == "USD"
    assert props["period"]["value"] == "2022-01-01/2022-12-31" and props["ledgerStatus"]["value"] == "agree"
    assert "author" not in objs["a4-c0"]                    # stated by the article itself
    assert objs["a8-c0"]["additionalProperty"][1]["minValue"] == 1e9


def test_cli_ledger_report_and_export(tmp_path, capsys):
    store = write_store(tmp_path)
    out = tmp_path / "out"
    assert main(["ledger", "--store", str(store), "--out", str(out / "ledger.jsonl"), "--status", "conflict"]) == 0
    lines = [json.loads(l) for l in (out / "ledger.jsonl").read_text("utf-8").splitlines()]
    assert [(l["metric"], l["status"]) for l in lines] == [("revenue", "conflict")]
    assert main(["report", "--store", str(store), "--out", str(out / "r" / "ledger.html"),
                 "--jsonl", str(out / "all.jsonl")]) == 0
    assert "<svg" in (out / "r" / "ledger.html").read_text("utf-8")
    assert len((out / "all.jsonl").read_text("utf-8").splitlines()) == 5
    assert main(["export-jsonld", "--store", str(store), "--format", "jsonl"]) == 0
    objs = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert len(objs) == 10 and all(o["@type"] == "Claim" for o in objs)
    assert not list(out.rglob("*.tmp"))


def test_cli_without_store_is_a_usage_error(tmp_path):
    assert main(["ledger", "--store", str(tmp_path / "nope")]) == 2
    assert main(["report", "--store", str(tmp_path / "nope"), "--out", str(tmp_path / "r.html")]) == 2
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("command", ["ledger", "report", "export-jsonld"])
def test_commands_have_an_example_and_are_documented(command):
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert "example:" in sub.choices[command].epilog
    doc = (ROOT / "docs" / "ledger.md").read_text("utf-8")
    assert f"newsclaims {command}" in doc and L.LEDGER_SCHEMA in doc


def test_integer_and_float_amounts_are_one_value():
    base = {"subject": {"canonical": "X"}, "metric": "loss", "time": None, "hedge": "asserted", "negated": False,
            "evidence": {}}
    claims = [dict(base, claim_id="c1", article_id="a1", value={"amount": 540000000, "currency": "USD"}),
              dict(base, claim_id="c2", article_id="a2", value={"amount": 5.4e8, "currency": "USD"})]
    (g,), _ = L.build_ledger(claims)
    assert len(g.values) == 1 and g.values[0].amount == 540000000 and g.status == "agree"


def test_empty_store_gives_an_empty_report(tmp_path):
    store = write_store(tmp_path, claims=[], articles=[])
    assert main(["report", "--store", str(store), "--out", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text("utf-8")
    assert "0 groups from 0 claims" in page and "<svg" not in page


def test_tolerance_must_be_a_fraction(tmp_path):
    with pytest.raises(SystemExit):
        main(["ledger", "--store", str(tmp_path), "--tolerance", "5"])
