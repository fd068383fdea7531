"""Latent mentions (a currency name or share word alone): only when asked, never in the store."""
import pytest

from newsclaims.pipeline import analyze


@pytest.mark.parametrize("text,lang,want", [
    ("人民币 美元", "zh", [("人民币", "CNY"), ("美元", "USD")]),
    ("dollar : 143.80 yen , up 0 . 95", "en", [("dollar", "USD"), ("143.80 yen", "JPY")]),
    ("50 dollar rmb", "en", [("50 dollar", "USD"), ("rmb", "CNY")]),
])
def test_currency_names_are_latent_money(text, lang, want):
    money = [m for m in analyze(text, lang=lang, kinds=["money"], latent=True)["mentions"] if m["kind"] == "money"]
    assert [(m["text"], m["currency"]) for m in money] == want
    assert all(m["amount"] is None for m in money if m["rule"] == "money.latent_name")
    plain = [m for m in analyze(text, lang=lang, kinds=["money"])["mentions"] if m["kind"] == "money"]
    assert [m["text"] for m in plain] == [t for t, _ in want if any(ch.isdigit() for ch in t)]


def test_share_word_alone_is_latent_quantity():
    out = analyze("How do I calculate a percentage? It rose 5 percent.", lang="en", kinds=["quantity"], latent=True)
    assert [(m["text"], m["amount"]) for m in out["mentions"]] == [("percentage", None), ("5 percent", 5)]
