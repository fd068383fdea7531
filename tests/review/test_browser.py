"""The review page in a real headless Chromium (Playwright + Debian's chromium).

Open the page, filter, accept with the keyboard, edit fields and a span, reload,
see the decisions kept.  Skips (with the reason) where Playwright or the
browser is missing; CI installs both (``apt-get install -y chromium``).  Never
runs ``playwright install``: the browser is the system one.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("NEWSCLAIMS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (the Python package) is not installed")
pytest.importorskip("uvicorn", reason="uvicorn is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)", allow_module_level=True)


class Clock:
    def __init__(self):
        self.n = 0

    def __call__(self):
        self.n += 1
        return datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc) + timedelta(seconds=self.n)


class Server:
    """uvicorn in a thread, on a free port of 127.0.0.1."""

    def __init__(self, store: Path, annotations: Path):
        import uvicorn

        from newsclaims.review.app import create_app
        from newsclaims.review.data import ReviewData

        app = create_app(ReviewData(store, annotations), clock=Clock(), annotator="tester")
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the review server did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        except sync_api.Error as exc:  # a broken browser install is a skip, not a failure
            pytest.skip(f"Chromium at {CHROMIUM} does not start: {exc}")
        yield b
        b.close()


@pytest.fixture
def page(browser):
    # bypass_csp: wait_for_function evaluates strings; it also makes the XSS check below stricter
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    pg = ctx.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.errors = errors
    yield pg
    ctx.close()


def wait_ready(pg):
    pg.wait_for_selector("body[data-ready='1']")
    pg.wait_for_selector("#claim-list li.current")


def select_in_article(pg, needle: str) -> None:
    """Select the first occurrence of ``needle`` in the article text, as a mouse would."""
    ok = pg.evaluate("""(needle) => {
        const box = document.getElementById('article-text');
        const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const i = n.data.indexOf(needle);
            if (i >= 0) {
                const r = document.createRange();
                r.setStart(n, i); r.setEnd(n, i + needle.length);
                const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
                return true;
            }
        }
        return false;
    }""", needle)
    assert ok, f"{needle!r} not found in one text node of the article"


def reviews(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()] if path.exists() else []


def test_filter_accept_edit_reload(page, hand_store):
    t0 = time.perf_counter()
    with Server(hand_store.store, hand_store.annotations) as srv:
        page.goto(srv.url)
        wait_ready(page)
        assert page.locator("#claim-list li").count() == 5
        assert page.locator("#status").text_content() == "unreviewed"

        # filter with the keyboard: "/" focuses the subject filter
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "f-subject"
        page.keyboard.type("OpenAI")
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelectorAll('#claim-list li').length === 3")
        assert page.locator("#page-info").text_content() == "1–3 of 3"
        first = page.locator("#claim-list li").nth(0)
        assert "loss" in first.text_content() and "5.4亿美元" in first.text_content()
        # the evidence is shown in the original article with every part highlighted
        page.wait_for_selector("#article-text mark.hl-value")
        assert page.locator("#article-text mark.hl-value").text_content() == "5.4亿美元"
        assert page.locator("#article-text mark.hl-subject").text_content() == "OpenAI"
        assert page.locator("#article-text mark.hl-time").text_content() == "去年"
        assert page.locator("#article-text mark.hl-source").text_content() == "The Information"
        assert "达到5.4亿美元左右。" in "".join(page.locator("#article-text .hl-evidence").all_text_contents())

        # j / k move, a accepts (and moves on)
        page.keyboard.press("j")
        page.wait_for_selector("#claim-list li[data-index='1'].current")
        page.keyboard.press("k")
        page.wait_for_selector("#claim-list li[data-index='0'].current")
        page.wait_for_function("document.querySelector('#f-metric .now')?.textContent === 'loss'")
        page.keyboard.press("a")
        page.wait_for_selector("#claim-list li[data-index='0'][data-status='accepted']")
        page.wait_for_selector("#claim-list li[data-index='1'].current")
        page.wait_for_function("document.querySelector('#f-metric .now')?.textContent === 'valuation'")
        lines = reviews(hand_store.reviews)
        assert [(r["decision"], r["annotator"]) for r in lines] == [("accept", "tester")]
        assert lines[0]["claim_id"] == hand_store.claim("loss")["claim_id"]

        # e edits: a field (with markup that must stay text) and a span chosen in the article
        page.keyboard.press("e")
        page.wait_for_selector("#edit-form:not([hidden])")
        assert page.evaluate("document.activeElement.id") == "e-metric"
        page.select_option("#e-hedge", "estimate")
        page.fill("#e-subject-canonical", "OpenAI <img src=x onerror=\"window.__xss=1\">")
        select_in_article(page, "新老资本")
        page.click("#e-source-from-selection")
        assert page.locator("#e-source-text").text_content() == "新老资本"
        page.focus("#e-subject-canonical")
        page.keyboard.press("Enter")
        page.wait_for_selector("#claim-list li[data-index='1'][data-status='edited']")
        page.wait_for_selector("#edit-form[hidden]", state="attached")
        edit = reviews(hand_store.reviews)[-1]
        text = hand_store.texts["001_7ec13a0538602fb1"]
        src = edit["edits"]["source"]
        assert edit["decision"] == "edit" and edit["edits"]["hedge"] == "estimate"
        assert text[src["start"]:src["end"]] == "新老资本" == src["text"]
        assert edit["ts"] == "2024-03-01T09:00:02.000Z"

        # reload: filter, selection and both decisions are kept
        page.reload()
        wait_ready(page)
        assert page.input_value("#f-subject") == "OpenAI"
        assert page.locator("#claim-list li").count() == 3
        assert page.get_attribute("#claim-list li[data-index='0']", "data-status") == "accepted"
        assert page.get_attribute("#claim-list li[data-index='1']", "data-status") == "edited"
        page.wait_for_selector("#claim-list li[data-index='1'].current")
        page.wait_for_function("document.querySelector('#status').textContent === 'edited'")
        assert page.locator("#f-hedge .now").text_content() == "estimate"
        assert page.locator("#f-hedge .was").text_content() == "asserted"
        assert page.locator("#f-subject .now").text_content().startswith("OpenAI <img src=x")
        assert page.locator("#article-text mark.hl-source").text_content() == "新老资本"
        assert page.evaluate("window.__xss") is None
        assert page.locator("#detail img").count() == 0
        assert page.errors == []
    print(f"\nbrowser test: {time.perf_counter() - t0:.2f}s")


def test_stale_after_reextraction_and_promote(page, hand_store):
    with Server(hand_store.store, hand_store.annotations) as srv:
        page.goto(srv.url + "#metric=users")
        wait_ready(page)
        page.keyboard.press("a")
        page.wait_for_selector("#claim-list li[data-index='0'][data-status='accepted']")
        # re-extraction changes the claim while the page is open
        hand_store.rewrite([{**copy.deepcopy(c), "confidence": 0.4} if c["metric"] == "users" else c
                            for c in hand_store.claims])
        page.reload()
        wait_ready(page)
        assert page.get_attribute("#claim-list li[data-index='0']", "data-status") == "stale"
        page.wait_for_function("document.querySelector('#status').textContent === 'stale'")
        assert "changed" in page.locator("#stale-reason").text_content()
        page.click("#promote")
        page.wait_for_function("document.querySelector('#message').textContent.includes('promoted 0')")
        page.keyboard.press("a")  # re-review
        page.wait_for_selector("#claim-list li[data-index='0'][data-status='accepted']")
        page.click("#promote")
        page.wait_for_function("document.querySelector('#message').textContent.includes('promoted 1')")
        gold = hand_store.annotations / "gold" / "claims" / "004_e1ab5d7198a05263.jsonl"
        assert json.loads(gold.read_text("utf-8"))["metric"] == "users"
        assert page.errors == []


def test_ten_thousand_claims(page, hand_store):
    many = []
    for i in range(10_000):
        c = copy.deepcopy(hand_store.claims[i % len(hand_store.claims)])
        c["claim_id"] = f"{i:016x}"
        many.append(c)
    hand_store.rewrite(many)
    with Server(hand_store.store, hand_store.annotations) as srv:
        t = time.perf_counter()
        page.goto(srv.url)
        wait_ready(page)
        ready = time.perf_counter() - t
        assert page.locator("#page-info").text_content() == "1–100 of 10000"
        assert page.locator("#claim-list li").count() == 100
        page.click("#claim-list li[data-index='99']")
        page.wait_for_selector("#claim-list li[data-index='99'].current")
        page.keyboard.press("j")  # past the page end: the next page loads
        page.wait_for_function("document.querySelector('#page-info').textContent === '101–200 of 10000'")
        page.wait_for_selector("#claim-list li[data-index='0'].current")
        assert page.errors == []
    print(f"\n10k claims: page ready in {ready:.2f}s")


def test_fast_keys_act_in_order(page, hand_store):
    """Keys typed faster than the server answers act on the claims in order."""
    with Server(hand_store.store, hand_store.annotations) as srv:
        page.goto(srv.url)
        wait_ready(page)
        page.keyboard.press("a")
        page.keyboard.press("r")
        page.keyboard.press("e")
        page.wait_for_selector("#edit-form:not([hidden])")
        assert page.get_attribute("#claim-list li[data-index='0']", "data-status") == "accepted"
        assert page.get_attribute("#claim-list li[data-index='1']", "data-status") == "rejected"
        third = hand_store.claims[2]  # store order: the edit form holds the third claim
        assert page.input_value("#e-metric") == third["metric"]
        assert page.input_value("#e-value-start") == str(third["evidence"]["start"] + third["evidence"]["text"].index(third["value"]["text"]))
        page.keyboard.press("Escape")
        page.wait_for_selector("#edit-form[hidden]", state="attached")
        assert "accepted 1" in page.locator("#counts").text_content()
        assert "rejected 1" in page.locator("#counts").text_content()
        assert [r["decision"] for r in reviews(hand_store.reviews)] == ["accept", "reject"]
        assert page.errors == []
