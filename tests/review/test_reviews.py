"""reviews.jsonl, statuses (stale never dropped), edits, promotion to gold, the JSON API."""
from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
import textwrap
import time
import warnings
from datetime import datetime, timedelta, timezone

import pytest

from newsclaims.review.data import ReviewData
from newsclaims.review.edits import EditError, apply_edits, normalize_edits
from newsclaims.review.reviews import Review, append_review, claim_sha, claim_status, read_reviews

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


class FakeClock:
    """Deterministic review clock: each call is one second later."""

    def __init__(self):
        self.n = 0

    def __call__(self) -> datetime:
        self.n += 1
        return T0 + timedelta(seconds=self.n)


def review(claim, decision="accept", edits=None, annotator="alice", ts="2024-03-01T09:00:00.000Z"):
    return Review(claim_id=claim["claim_id"], decision=decision, edits=edits or {}, annotator=annotator, ts=ts,
                  claim_sha=claim_sha(claim))


# ---------------------------------------------------------------- claim_sha, Review
def test_claim_sha_is_sha256_of_canonical_json():
    claim = {"b": 1, "a": {"y": "微软", "x": None}}
    reordered = {"a": {"x": None, "y": "微软"}, "b": 1}
    expected = hashlib.sha256('{"a":{"x":null,"y":"微软"},"b":1}'.encode("utf-8")).hexdigest()
    assert claim_sha(claim) == claim_sha(reordered) == expected


@pytest.mark.parametrize("bad", [
    {"decision": "maybe"},
    {"decision": "accept", "edits": {"metric": "loss"}},
    {"annotator": ""},
    {"edits": ["metric"]},
])
def test_review_rejects_bad_lines(bad):
    base = {"claim_id": "c1", "decision": "accept", "edits": {}, "annotator": "a", "ts": "t", "claim_sha": "s"}
    with pytest.raises(ValueError):
        Review.from_dict({**base, **bad})


def test_review_line_shape_and_order(tmp_path, hand_store):
    c = hand_store.claims[0]
    append_review(tmp_path / "reviews.jsonl", review(c, "edit", {"metric": "cost"}))
    line = (tmp_path / "reviews.jsonl").read_text("utf-8")
    assert line.endswith("\n") and line.count("\n") == 1
    assert list(json.loads(line)) == ["claim_id", "decision", "edits", "annotator", "ts", "claim_sha"]


@pytest.mark.parametrize("current,decision,expected", [
    ("s", None, "unreviewed"),
    ("s", "accept", "accepted"),
    ("s", "reject", "rejected"),
    ("s", "edit", "edited"),
    ("other", "accept", "stale"),
    (None, "reject", "stale"),
])
def test_claim_status(current, decision, expected):
    rev = None if decision is None else Review("c", decision, {"metric": "loss"} if decision == "edit" else {},
                                               "a", "t", "s")
    assert claim_status(current, rev) == expected


def test_torn_line_costs_only_itself(tmp_path, hand_store):
    path = tmp_path / "reviews.jsonl"
    c0, c1 = hand_store.claims[:2]
    append_review(path, review(c0))
    with path.open("ab") as fh:  # a writer that died mid-line
        fh.write(b'{"claim_id": "x", "deci')
    append_review(path, review(c1, "reject"))
    log = read_reviews(path)
    assert set(log.latest) == {c0["claim_id"], c1["claim_id"]}
    assert len(log.problems) == 1 and ":2:" in log.problems[0]


def test_log_reads_only_complete_lines_incrementally(tmp_path, hand_store):
    path = tmp_path / "reviews.jsonl"
    log = read_reviews(path)
    assert log.n_lines == 0
    c = hand_store.claims[0]
    line = json.dumps(review(c).to_dict()).encode()
    path.write_bytes(line[:20])
    assert log.poll() == 0           # still being written
    path.write_bytes(line + b"\n")
    assert log.poll() == 1 and log.latest[c["claim_id"]].decision == "accept"
    append_review(path, review(c, "reject"))
    assert log.poll() == 1 and log.latest[c["claim_id"]].decision == "reject"
    assert len(log.history[c["claim_id"]]) == 2


# ---------------------------------------------------------------- concurrency
WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from newsclaims.review.reviews import Review, append_review
    path, name, n, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    while not go.exists():
        time.sleep(0.001)
    for i in range(n):
        append_review(path, Review(claim_id=f"{name}-{i:04d}", decision="edit",
                                   edits={"subject": {"canonical": "微软" * (i % 50 + 1)}},
                                   annotator=name, ts=f"2024-03-01T09:00:{i % 60:02d}.000Z", claim_sha="0" * 64))
""")


def test_two_writers_1000_decisions_lose_none(tmp_path):
    path, go = tmp_path / "annotations" / "reviews.jsonl", tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, "500", str(go)])
             for name in ("alice", "bob")]
    time.sleep(0.5)  # both started and waiting
    t = time.perf_counter()
    go.touch()
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    seconds = time.perf_counter() - t
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    recs = [json.loads(line) for line in lines[:-1]]  # every line parses
    assert len(recs) == 1000
    ids = {r["claim_id"] for r in recs}
    assert ids == {f"{w}-{i:04d}" for w in ("alice", "bob") for i in range(500)}
    for name in ("alice", "bob"):  # each writer's lines stay in its order
        mine = [r["claim_id"] for r in recs if r["annotator"] == name]
        assert mine == sorted(mine)
    interleaved = sum(1 for a, b in zip(recs, recs[1:]) if a["annotator"] != b["annotator"])
    print(f"\n2 writers x 500 decisions: 1000/1000 lines kept, {interleaved} writer switches, {seconds:.2f}s")


# ---------------------------------------------------------------- edits
def test_edit_normalises_spans_from_article(hand_store):
    c = hand_store.claim("loss")
    art = hand_store.texts[c["article_id"]]
    mentions = {m["mention_id"]: m for m in hand_store.mentions[c["article_id"]]}
    s = art.index("三位了解OpenAI财务状况的人士")
    e = s + len("三位了解OpenAI财务状况的人士")
    edits = normalize_edits(c, {"metric": "cost", "source": {"start": s, "end": e}, "time": None}, art, mentions)
    assert edits == {"metric": "cost", "source": {"start": s, "end": e, "text": art[s:e], "canonical": art[s:e]},
                     "time": None}
    edited = apply_edits(c, edits)
    assert edited["metric"] == "cost" and edited["time"] is None
    assert art[edited["source"]["start"]:edited["source"]["end"]] == edited["source"]["text"]
    assert list(edited) == list(c)  # key order kept
    assert c["metric"] == "loss"    # the store claim is untouched


def test_edit_value_span_takes_the_mention(hand_store):
    c = hand_store.claim("loss")
    art = hand_store.texts[c["article_id"]]
    mentions = {m["mention_id"]: m for m in hand_store.mentions[c["article_id"]]}
    s = art.index("290亿美元")
    edits = normalize_edits(c, {"value": {"start": s, "end": s + 6, "text": "290亿美元"}}, art, mentions)
    v = edits["value"]
    assert v["mention_id"].endswith(f"/money/{s}-{s + 6}") and v["amount"] == 29000000000 and v["qualifier"] == "exact"
    unknown = art.index("1000亿美元")
    v2 = normalize_edits(c, {"value": {"start": unknown, "end": unknown + 7, "amount": 1e11}}, art, mentions)["value"]
    assert v2["mention_id"] is None and v2["amount"] == 1e11 and v2["text"] == "1000亿美元"


@pytest.mark.parametrize("edits,match", [
    ({"metric": "loss"}, "nothing changed"),
    ({"metric": "gossip"}, "metric must be one of"),
    ({"hedge": "rumour"}, "hedge must be"),
    ({"negated": "yes"}, "negated"),
    ({"subject": {"start": 5, "end": 3}}, "outside the article or empty|outside"),
    ({"subject": {"start": 0, "end": 2, "text": "nope"}}, "is not the article's text"),
    ({"subject": None}, "cannot be removed"),
    ({"value": {"currency": "dollars"}}, "ISO 4217"),
    ({"value": {"amount": "lots"}}, "number"),
    ({"time": {"interval_start": "May 2023"}}, "ISO date"),
    ({"claim_id": "x"}, "cannot be edited"),
    ({"value": {"unit": "x"}}, "cannot be edited"),
])
def test_bad_edits_are_refused(hand_store, edits, match):
    c = hand_store.claim("loss")
    art = hand_store.texts[c["article_id"]]
    with pytest.raises(EditError, match=match):
        normalize_edits(c, edits, art, {m["mention_id"]: m for m in hand_store.mentions[c["article_id"]]})


# ---------------------------------------------------------------- statuses across re-extraction
def test_stale_reviews_are_shown_never_dropped(hand_store):
    data = ReviewData(hand_store.store, hand_store.annotations)
    loss, inv, val = hand_store.claim("loss"), hand_store.claim("investment"), hand_store.claim("valuation")
    data.add_review(review(loss))
    data.add_review(review(inv, "reject"))
    data.add_review(review(val))
    assert [data.status_of(c["claim_id"]) for c in (loss, inv, val)] == ["accepted", "rejected", "accepted"]

    # re-extraction: the loss claim changes, the valuation claim disappears
    new = [copy.deepcopy(c) for c in hand_store.claims if c is not val]
    next(c for c in new if c["metric"] == "loss")["hedge"] = "estimate"
    hand_store.rewrite(new)
    data.refresh()
    assert data.status_of(loss["claim_id"]) == "stale"
    assert data.status_of(inv["claim_id"]) == "rejected"
    assert data.status_of(val["claim_id"]) == "stale"
    listing = data.list_claims(status="stale")
    assert [(r["claim_id"], r["orphan"]) for r in listing["items"]] == [(loss["claim_id"], False), (val["claim_id"], True)]
    assert listing["counts"]["stale"] == 2
    detail = data.claim_detail(val["claim_id"])
    assert detail["claim"] is None and detail["review"]["decision"] == "accept" and "no longer" in detail["stale_reason"]
    assert "changed" in data.claim_detail(loss["claim_id"])["stale_reason"]
    # a fresh review of the changed claim clears the stale status; the old line stays in the file
    changed = next(c for c in new if c["metric"] == "loss")
    assert data.add_review(review(changed, "accept")) == "accepted"
    assert len(data.log.history[loss["claim_id"]]) == 2
    assert hand_store.reviews.read_text("utf-8").count("\n") == 4


def test_filters(hand_store):
    data = ReviewData(hand_store.store, hand_store.annotations)
    assert data.list_claims()["total"] == 5
    assert {r["article_id"] for r in data.list_claims(article="004_e1ab5d7198a05263")["items"]} == {"004_e1ab5d7198a05263"}
    assert [r["metric"] for r in data.list_claims(subject="micro")["items"]] == ["investment"]  # canonical Microsoft
    assert [r["metric"] for r in data.list_claims(subject="微软")["items"]] == ["investment"]   # surface text
    assert data.list_claims(metric="revenue")["total"] == 1
    data.add_review(review(hand_store.claim("revenue")))
    assert [r["metric"] for r in data.list_claims(status="accepted")["items"]] == ["revenue"]
    assert data.list_claims(status="unreviewed")["total"] == 4


def test_ten_thousand_claims_page_fast(hand_store):
    base = hand_store.claims
    many = []
    for i in range(10_000):
        c = copy.deepcopy(base[i % len(base)])
        c["claim_id"] = f"{i:016x}"
        many.append(c)
    hand_store.rewrite(many)
    t = time.perf_counter()
    data = ReviewData(hand_store.store, hand_store.annotations)
    load = time.perf_counter() - t
    t = time.perf_counter()
    page = data.list_claims(subject="openai", offset=5000, limit=100)
    query = time.perf_counter() - t
    assert page["total"] == 6000 and len(page["items"]) == 100
    assert query < 1.0, f"listing 10k claims took {query:.2f}s"
    print(f"\n10k claims: load {load:.2f}s, filtered page {query * 1000:.0f} ms")


# ---------------------------------------------------------------- promotion
def test_promote_appends_accepted_and_edited_once(hand_store):
    data = ReviewData(hand_store.store, hand_store.annotations)
    loss, inv, val, rev = (hand_store.claim(m) for m in ("loss", "investment", "valuation", "revenue"))
    art = hand_store.texts[loss["article_id"]]
    mentions = {m["mention_id"]: m for m in hand_store.mentions[loss["article_id"]]}
    edits = normalize_edits(val, {"hedge": "estimate"}, art, mentions)
    data.add_review(review(loss))
    data.add_review(review(inv, "reject"))
    data.add_review(review(val, "edit", edits))
    data.add_review(review(rev))
    gold = hand_store.annotations / "gold" / "claims" / f"{loss['article_id']}.jsonl"
    gold.parent.mkdir(parents=True)
    hand_line = json.dumps({**copy.deepcopy(rev), "rule": "gold"}, ensure_ascii=False)  # already in gold, by hand
    gold.write_text(hand_line, "utf-8")  # and without a final newline
    # the revenue claim changes after its review: stale, not promoted
    hand_store.rewrite([{**c, "confidence": 0.5} if c["metric"] == "revenue" else c for c in hand_store.claims])

    report = data.promote()
    assert (report.written, report.already_in_gold, report.stale_skipped) == (2, 0, 1)
    lines = gold.read_text("utf-8").splitlines()
    assert lines[0] == hand_line  # never rewritten
    promoted = [json.loads(x) for x in lines[1:]]
    assert [(p["metric"], p["hedge"], p["rule"]) for p in promoted] == [
        ("loss", "reported", "review:accept"), ("valuation", "estimate", "review:edit")]
    assert all(p["schema"] == "newsclaims.claim/1" for p in promoted)

    again = data.promote()
    assert (again.written, again.already_in_gold) == (0, 2)
    assert gold.read_text("utf-8").count("\n") == 3  # the hand line got its newline, then 2 lines

    from newsclaims.evaluate import load_gold  # the gold loader sees the promoted claims
    _, gold_claims = load_gold(hand_store.annotations / "gold")
    assert len(gold_claims[loss["article_id"]]) == 3


def test_cli_promote(hand_store, capsys):
    from newsclaims.cli import main

    data = ReviewData(hand_store.store, hand_store.annotations)
    data.add_review(review(hand_store.claim("users")))
    rc = main(["review", "--store", str(hand_store.store), "--annotations", str(hand_store.annotations), "--promote"])
    assert rc == 0
    assert "promoted 1 claim(s)" in capsys.readouterr().out
    assert (hand_store.annotations / "gold" / "claims" / "004_e1ab5d7198a05263.jsonl").exists()


def test_cli_review_without_store(tmp_path, caplog):
    from newsclaims.cli import main

    assert main(["review", "--store", str(tmp_path / "nope"), "--annotations", str(tmp_path)]) == 2
    assert "make extract" in caplog.text


# ---------------------------------------------------------------- the JSON API
@pytest.fixture
def client(hand_store):
    pytest.importorskip("starlette")
    pytest.importorskip("httpx")
    with warnings.catch_warnings():  # starlette >= 1.x prefers httpx2; httpx works the same here
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from newsclaims.review.app import create_app

    clock = FakeClock()
    app = create_app(ReviewData(hand_store.store, hand_store.annotations), clock=clock, annotator="carol")
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def test_api_review_flow(client, hand_store):
    meta = client.get("/api/meta").json()
    assert meta["annotator"] == "carol" and "loss" in meta["metrics"] and len(meta["articles"]) == 2
    rows = client.get("/api/claims", params={"metric": "loss"}).json()
    assert rows["total"] == 1
    cid = rows["items"][0]["claim_id"]
    detail = client.get(f"/api/claims/{cid}").json()
    assert detail["status"] == "unreviewed" and detail["spans"]["value"] == [171, 177]
    r = client.post(f"/api/claims/{cid}/review", json={"decision": "edit", "claim_sha": detail["claim_sha"],
                                                        "edits": {"hedge": "estimate"}})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "edited"
    assert r.json()["review"]["ts"] == "2024-03-01T09:00:01.000Z" and r.json()["review"]["annotator"] == "carol"
    detail = client.get(f"/api/claims/{cid}").json()
    assert detail["edited"]["hedge"] == "estimate" and detail["claim"]["hedge"] == "reported"
    line = json.loads(hand_store.reviews.read_text("utf-8"))
    assert line["edits"] == {"hedge": "estimate"} and line["claim_sha"] == detail["claim_sha"]


@pytest.mark.parametrize("body,status", [
    ({"decision": "accept", "claim_sha": "0" * 64}, 409),
    ({"decision": "ok"}, 400),
    ({"decision": "accept", "edits": {"metric": "cost"}}, 400),
    ({"decision": "edit", "edits": {"metric": "gossip"}}, 422),
    ({"decision": "accept", "annotator": "x" * 101}, 400),
])
def test_api_refuses(client, body, status):
    cid = client.get("/api/claims").json()["items"][0]["claim_id"]
    sha = client.get(f"/api/claims/{cid}").json()["claim_sha"]
    r = client.post(f"/api/claims/{cid}/review", json={"claim_sha": sha, **body})
    assert r.status_code == status, r.text
    assert "error" in r.json()


def test_api_refuses_forms_and_foreign_hosts(client):
    cid = client.get("/api/claims").json()["items"][0]["claim_id"]
    r = client.post(f"/api/claims/{cid}/review", data={"decision": "accept"})
    assert r.status_code == 415
    assert client.get("/api/meta", headers={"host": "evil.example"}).status_code == 400
    page = client.get("/")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/review.js").status_code == 200
