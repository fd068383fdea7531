"""Label Studio interop: export tasks with predictions, import an annotated export back."""
from __future__ import annotations

import copy
import importlib.util
import json
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsclaims.labelstudio import _span_of, export_tasks, import_export, label_config
from newsclaims.review.data import ReviewData
from newsclaims.review.reviews import claim_sha

# the hand-made store of the review tests (two real articles, five hand-placed claims)
_spec = importlib.util.spec_from_file_location("review_hand_store", Path(__file__).parent / "review" / "conftest.py")
hs = sys.modules.setdefault("review_hand_store", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(hs)

ANNOTATED_AT = "2024-04-02T10:11:12.123456Z"


def clock() -> datetime:  # only used when an annotation has no timestamp
    return datetime(2024, 5, 1, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    texts = {aid: hs.original_text(aid) for aid in (hs.A1, hs.A2)}
    mentions, claims = hs.build_claims(texts)
    hs.write_store(tmp_path / "store", texts, mentions, claims)
    return hs.HandStore(tmp_path / "store", tmp_path / "annotations", texts, mentions, claims)


def by_metric(store, metric):
    return next(c for c in store.claims if c["metric"] == metric)


def test_label_config_fits_the_tasks(store):
    root = ET.fromstring(label_config())
    names = {el.get("name") for el in root.iter() if el.get("name")}
    assert {"label", "text", "metric", "hedge", "flags"} <= names
    assert {el.get("value") for el in root.iter("Label")} == {"Subject", "Value", "Time", "Source", "Claim"}
    assert "market_share" in {el.get("value") for el in root.iter("Choice")}
    for task in export_tasks(store.store):
        for item in task["predictions"][0]["result"]:
            if item["type"] != "relation":
                assert item["from_name"] in names and item["to_name"] == "text"


def test_export_shape(store):
    tasks = export_tasks(store.store)
    assert [t["data"]["article_id"] for t in tasks] == [hs.A1, hs.A2]
    t = tasks[0]
    assert t["data"]["text"] == store.texts[hs.A1]
    assert t["data"]["claim_shas"] == {c["claim_id"]: claim_sha(c) for c in store.claims if c["article_id"] == hs.A1}
    result = t["predictions"][0]["result"]
    assert t["predictions"][0]["model_version"].startswith("newsclaims-")
    for item in result:  # every region's text is the text at its offsets
        if item["type"] in ("labels", "choices"):
            v = item["value"]
            assert t["data"]["text"][v["start"]:v["end"]] == v["text"]
    loss = by_metric(store, "loss")
    regions = {r["id"]: r for r in result if r["type"] == "labels"}
    rels = {(r["from_id"], r["to_id"], r["labels"][0]) for r in result if r["type"] == "relation"}
    cid, vid = f"clm-{loss['claim_id']}", f"val-{loss['claim_id']}"
    assert regions[vid]["value"]["text"] == "5.4亿美元"
    assert regions[cid]["value"]["text"] == loss["evidence"]["text"]
    assert {("subj-153-159", vid, "subject"), (vid, "time-131-133", "time"), ("src-89-104", cid, "source"),
            (vid, cid, "claim")} <= rels
    choices = {(r["id"], r["from_name"]): r["value"]["choices"] for r in result if r["type"] == "choices"}
    assert choices[(cid, "metric")] == ["loss"] and choices[(cid, "hedge")] == ["reported"]
    # one region per distinct subject span; ids are unique among regions
    labelled = [r["id"] for r in result if r["type"] == "labels"]
    assert len(labelled) == len(set(labelled))
    assert sum(1 for r in regions.values() if r["value"]["labels"] == ["Subject"]) == 4


def annotate(task: dict, result: list[dict], who="ann@example.org") -> None:
    task["id"] = 7
    task["annotations"] = [
        {"id": 1, "completed_by": {"email": "old@example.org"}, "was_cancelled": True, "result": [],
         "updated_at": "2024-04-03T00:00:00Z"},
        {"id": 2, "completed_by": {"email": who}, "was_cancelled": False, "result": result,
         "created_at": "2024-04-01T00:00:00Z", "updated_at": ANNOTATED_AT},
    ]


def edited_result(task: dict, store) -> list[dict]:
    """What an annotator does in Label Studio, starting from our predictions."""
    text = task["data"]["text"]
    result = copy.deepcopy(task["predictions"][0]["result"])
    inv, val, rev = (by_metric(store, m)["claim_id"] for m in ("investment", "valuation", "revenue"))
    # 1. delete the investment claim (its Claim and Value regions; Label Studio drops their relations)
    gone = {f"clm-{inv}", f"val-{inv}"}
    result = [r for r in result if r.get("id") not in gone and r.get("from_id") not in gone and r.get("to_id") not in gone]
    # 2. the valuation claim's metric becomes market_cap
    for r in result:
        if r.get("id") == f"clm-{val}" and r["from_name"] == "metric":
            r["value"]["choices"] = ["market_cap"]
    # 3. the revenue claim gets a source, drawn backwards (claim -> source)
    s = text.index("上述OpenAI财务知情人士")
    e = s + len("上述OpenAI财务知情人士")
    result.append({"id": "NEWsrc", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": s, "end": e, "text": text[s:e], "labels": ["Source"]}})
    result.append({"type": "relation", "from_id": f"clm-{rev}", "to_id": "NEWsrc", "direction": "left",
                   "labels": ["source"]})
    # 4. a new claim: OpenAI may raise up to 100bn dollars
    cs = text.index("上述知情人士透露,OpenAI首席执行官")
    ce = text.index("。", cs) + 1
    vs = text.index("1000亿美元")
    ss = text.index("OpenAI", cs)
    for rid, (a, b, label) in {"NEWclm": (cs, ce, "Claim"), "NEWval": (vs, vs + 7, "Value"),
                               "NEWsubj": (ss, ss + 6, "Subject")}.items():
        result.append({"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
                       "value": {"start": a, "end": b, "text": text[a:b], "labels": [label]}})
    for name, value in (("metric", "funding"), ("hedge", "forecast")):
        result.append({"id": "NEWclm", "from_name": name, "to_name": "text", "type": "choices",
                       "value": {"start": cs, "end": ce, "text": text[cs:ce], "choices": [value]}})
    result += [{"type": "relation", "from_id": "NEWsubj", "to_id": "NEWval", "direction": "right", "labels": []},
               {"type": "relation", "from_id": "NEWval", "to_id": "NEWclm", "direction": "right", "labels": ["claim"]}]
    return result


def test_import_round_trip(store):
    tasks = export_tasks(store.store)
    annotate(tasks[0], edited_result(tasks[0], store))   # the second task stays unannotated
    tasks = json.loads(json.dumps(tasks))                # as read from an export file
    report = import_export(tasks, store.store, store.annotations, clock=clock)
    assert (report.tasks, report.annotated) == (2, 1)
    assert (report.accepted, report.edited, report.rejected, report.new_gold) == (1, 2, 1, 1), report.summary()
    assert any("amount left null" in p for p in report.problems)  # 1000亿美元 is no mention of the hand store

    lines = [json.loads(x) for x in store.reviews.read_text("utf-8").splitlines()]
    assert {r["annotator"] for r in lines} == {"label-studio:ann@example.org"}
    assert {r["ts"] for r in lines} == {"2024-04-02T10:11:12.123Z"}
    by_id = {r["claim_id"]: r for r in lines}
    text = store.texts[hs.A1]
    assert by_id[by_metric(store, "loss")["claim_id"]]["decision"] == "accept"
    assert by_id[by_metric(store, "investment")["claim_id"]]["decision"] == "reject"
    assert by_id[by_metric(store, "valuation")["claim_id"]]["edits"] == {"metric": "market_cap"}
    src = by_id[by_metric(store, "revenue")["claim_id"]]["edits"]["source"]
    assert text[src["start"]:src["end"]] == src["text"] == "上述OpenAI财务知情人士"

    data = ReviewData(store.store, store.annotations)
    assert [data.status_of(c["claim_id"]) for c in store.claims] == ["accepted", "rejected", "edited", "edited",
                                                                    "unreviewed"]
    gold = [json.loads(x) for x in (store.annotations / "gold" / "claims" / f"{hs.A1}.jsonl").read_text("utf-8").splitlines()]
    assert len(gold) == 1
    g = gold[0]
    assert (g["metric"], g["hedge"], g["subject"]["text"], g["value"]["text"], g["rule"]) == \
        ("funding", "forecast", "OpenAI", "1000亿美元", "label-studio")
    assert text[g["evidence"]["start"]:g["evidence"]["end"]] == g["evidence"]["text"]

    again = import_export(tasks, store.store, store.annotations, clock=clock)  # idempotent
    assert (again.unchanged, again.accepted + again.edited + again.rejected, again.new_gold, again.gold_already) == \
        (4, 0, 0, 1)
    assert len(store.reviews.read_text("utf-8").splitlines()) == 4


def test_claim_changed_since_export_is_stale(store):
    tasks = export_tasks(store.store)
    annotate(tasks[1], copy.deepcopy(tasks[1]["predictions"][0]["result"]))
    store.rewrite([{**c, "confidence": 0.1} if c["article_id"] == hs.A2 else c for c in store.claims])
    report = import_export(tasks, store.store, store.annotations, clock=clock)
    assert report.accepted == 1
    users = by_metric(store, "users")
    assert ReviewData(store.store, store.annotations).status_of(users["claim_id"]) == "stale"


def test_problems_are_reported_not_fatal(store):
    tasks = export_tasks(store.store)
    result = copy.deepcopy(tasks[1]["predictions"][0]["result"])
    for r in result:
        if r.get("type") == "labels" and r["value"]["labels"] == ["Value"]:
            r["value"]["start"] += 1   # no longer the region's text
    annotate(tasks[1], result)
    tasks.append({"data": {"article_id": "nope", "text": "x"}, "annotations": []})
    report = import_export(tasks, store.store, store.annotations, clock=clock)
    assert any("does not match the text" in p for p in report.problems)
    assert any("linked to 0 Value regions" in p for p in report.problems)
    assert any("not in the store" in p for p in report.problems)
    # the claim whose value region could not be read gets no decision (neither accepted nor rejected)
    assert report.accepted + report.edited + report.rejected == 0
    assert not store.reviews.exists()


@pytest.mark.parametrize("value,expected", [
    ({"start": 2, "end": 8, "text": "OpenAI"}, (2, 8)),     # code points (current Label Studio)
    ({"start": 3, "end": 9, "text": "OpenAI"}, (2, 8)),     # UTF-16 units (older Label Studio)
    ({"start": 4, "end": 10, "text": "OpenAI"}, None),      # neither
])
def test_span_of_plain(value, expected):
    assert _span_of(value, "🚀 OpenAI亏损") == expected


def test_span_of_utf16_offsets():
    text = "🚀🚀 OpenAI亏损5.4亿美元"
    s = text.index("5.4亿美元")
    utf16 = len(text[:s].encode("utf-16-le")) // 2
    assert _span_of({"start": utf16, "end": utf16 + 6, "text": "5.4亿美元"}, text) == (s, s + 6)


def test_cli_export_and_import(store, tmp_path, capsys):
    from newsclaims.cli import main

    out, cfg = tmp_path / "tasks.json", tmp_path / "config.xml"
    assert main(["export", "--format", "label-studio", "--store", str(store.store), "--out", str(out),
                 "--label-config", str(cfg)]) == 0
    tasks = json.loads(out.read_text("utf-8"))
    assert len(tasks) == 2 and ET.fromstring(cfg.read_text("utf-8")).tag == "View"
    annotate(tasks[1], copy.deepcopy(tasks[1]["predictions"][0]["result"]))
    ls_export = tmp_path / "export.json"
    ls_export.write_text(json.dumps(tasks, ensure_ascii=False), "utf-8")
    capsys.readouterr()
    assert main(["import", str(ls_export), "--store", str(store.store), "--annotations", str(store.annotations)]) == 0
    assert "1 accepted" in capsys.readouterr().out
    assert main(["import", str(tmp_path / "missing.json"), "--store", str(store.store)]) == 2
