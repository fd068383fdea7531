// newsclaims review page: plain JS, no build step.
// Every piece of article or claim text goes into the page through textContent /
// text nodes, never innerHTML.  Offsets from the server are Python str indices
// (code points); the page converts to and from JS (UTF-16) positions itself.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const PARTS = ["subject", "value", "time", "source", "evidence"];
  const NULLABLE = new Set(["time", "source"]);
  const PAGE = 100;
  const state = {
    meta: null, filters: { article: "", subject: "", metric: "", status: "" },
    offset: 0, total: 0, items: [], index: -1,
    detail: null, article: null, editing: false, busy: false,
    listSeq: 0, detailSeq: 0, detailPromise: Promise.resolve(),
  };
  const articles = new Map();

  // ---------- small helpers ----------
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "class") e.className = v;
      else if (k === "dataset") Object.assign(e.dataset, v);
      else e[k] = v;
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c); // strings become text nodes
    return e;
  }
  function message(text, kind) {
    const m = $("message");
    m.textContent = text || "";
    m.className = kind || "";
  }
  async function api(path, opts) {
    const res = await fetch(path, opts);
    let body = null;
    try { body = await res.json(); } catch (_) { body = null; }
    if (!res.ok) {
      const err = new Error((body && body.error) || `${res.status} ${res.statusText}`);
      err.status = res.status;
      throw err;
    }
    return body;
  }
  function post(path, payload) {
    return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) });
  }
  const cpLength = (s) => { let n = 0; for (const _ of s) n++; return n; };
  function show(v) { return v === null || v === undefined || v === "" ? "—" : String(v); }

  // ---------- URL state (filters and the selected claim survive a reload) ----------
  function readHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    for (const k of Object.keys(state.filters)) state.filters[k] = p.get(k) || "";
    state.offset = Math.max(0, parseInt(p.get("offset") || "0", 10) || 0);
    return p.get("claim") || "";
  }
  function writeHash() {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(state.filters)) if (v) p.set(k, v);
    if (state.offset) p.set("offset", String(state.offset));
    const item = state.items[state.index];
    if (item) p.set("claim", item.claim_id);
    history.replaceState(null, "", "#" + p.toString());
  }

  // ---------- list ----------
  function renderCounts(counts) {
    state.counts = counts;
    const parts = Object.entries(counts).map(([k, v]) => `${k} ${v}`);
    $("counts").textContent = `${state.total} shown · ` + parts.join(" · ");
  }
  function listItem(item, i) {
    const badge = el("span", { class: `badge st-${item.status}` }, item.status);
    const line1 = item.orphan
      ? el("span", {}, `review of removed claim ${item.claim_id}`)
      : el("span", { class: "line1" }, `${show(item.subject)} · ${show(item.metric)} · ${show(item.value)}`);
    const line2 = el("span", { class: "line2" }, item.orphan ? "not in the store any more"
      : `${item.time ? item.time + " · " : ""}${item.article_id}`);
    const li = el("li", { dataset: { index: String(i), claimId: item.claim_id, status: item.status } }, badge, line1, line2);
    if (i === state.index) li.classList.add("current");
    return li;
  }
  function renderList() {
    const ol = $("claim-list");
    ol.replaceChildren(...state.items.map(listItem));
    const last = Math.min(state.offset + state.items.length, state.total);
    $("page-info").textContent = state.total ? `${state.offset + 1}–${last} of ${state.total}` : "no claims match";
    $("prev-page").disabled = state.offset === 0;
    $("next-page").disabled = state.offset + state.items.length >= state.total;
  }
  function refreshItem(i) {
    const ol = $("claim-list");
    const old = ol.children[i];
    if (old) old.replaceWith(listItem(state.items[i], i));
  }
  async function loadList(pick) {
    const q = new URLSearchParams({ ...state.filters, offset: String(state.offset), limit: String(PAGE) });
    const seq = ++state.listSeq;
    let res;
    try { res = await api("/api/claims?" + q.toString()); } catch (err) { message(err.message, "error"); return; }
    if (seq !== state.listSeq) return; // a newer filter won
    state.items = res.items;
    state.total = res.total;
    state.index = -1;
    renderCounts(res.counts);
    renderList();
    if (!state.items.length) {
      state.detail = null;
      $("detail").hidden = true;
      $("empty").hidden = false;
      $("empty").textContent = "No claim matches the filters.";
      writeHash();
      return;
    }
    let i = 0;
    if (typeof pick === "string" && pick) i = Math.max(0, state.items.findIndex((x) => x.claim_id === pick));
    else if (typeof pick === "number") i = pick < 0 ? state.items.length - 1 : Math.min(pick, state.items.length - 1);
    await select(i);
  }
  async function select(i) {
    if (i < 0 || i >= state.items.length) return;
    if (state.editing) cancelEdit();
    const ol = $("claim-list");
    if (state.index >= 0 && ol.children[state.index]) ol.children[state.index].classList.remove("current");
    state.index = i;
    const li = ol.children[i];
    if (li) { li.classList.add("current"); li.scrollIntoView({ block: "nearest" }); }
    writeHash();
    state.detailPromise = loadDetail(state.items[i].claim_id);
    await state.detailPromise;
  }
  async function next() {
    if (state.index + 1 < state.items.length) return select(state.index + 1);
    if (state.offset + state.items.length < state.total) {
      // with a status filter, decided claims drop out of the next page's window
      const gone = state.filters.status ? state.items.filter((x) => x.status !== state.filters.status).length : 0;
      state.offset = Math.max(0, state.offset + PAGE - gone);
      return loadList(0);
    }
    message("last claim", "");
  }
  async function prev() {
    if (state.index > 0) return select(state.index - 1);
    if (state.offset > 0) { state.offset = Math.max(0, state.offset - PAGE); return loadList(-1); }
  }

  // ---------- detail ----------
  async function getArticle(id) {
    if (!articles.has(id)) {
      const art = await api(`/api/articles/${encodeURIComponent(id)}`);
      art.cps = Array.from(art.text); // code points: server offsets index this
      articles.set(id, art);
    }
    return articles.get(id);
  }
  async function loadDetail(claimId) {
    const seq = ++state.detailSeq;
    let detail, art = null;
    try {
      detail = await api(`/api/claims/${encodeURIComponent(claimId)}`);
      if (detail.claim) art = await getArticle(detail.claim.article_id);
    } catch (err) { message(err.message, "error"); return; }
    if (seq !== state.detailSeq) return;
    state.detail = detail;
    state.article = art;
    renderDetail();
  }
  function fieldText(c, key) {
    const v = c[key];
    switch (key) {
      case "subject":
      case "source":
        if (!v) return "—";
        return v.canonical && v.canonical !== v.text ? `${v.canonical} (${v.text})` : show(v.text);
      case "value": {
        if (!v) return "—";
        const bits = [show(v.text)];
        if (v.amount !== null && v.amount !== undefined) bits.push(`= ${v.amount}`);
        if (v.low !== null && v.low !== undefined || v.high !== null && v.high !== undefined) bits.push(`[${show(v.low)} … ${show(v.high)}]`);
        if (v.currency) bits.push(v.currency);
        if (v.qualifier && v.qualifier !== "exact") bits.push(v.qualifier);
        if (v.rate) bits.push(v.rate);
        return bits.join(" ");
      }
      case "time":
        if (!v) return "—";
        return `${show(v.text)} (${show(v.interval_start)} … ${show(v.interval_end)}${v.grain ? ", " + v.grain : ""})`;
      case "evidence":
        return v ? `${v.start}–${v.end}` : "—";
      default:
        return show(v);
    }
  }
  const FIELD_ROWS = [["subject", "Subject"], ["metric", "Metric"], ["value", "Value"], ["time", "Time"],
    ["source", "Source"], ["hedge", "Hedge"], ["negated", "Negated"], ["evidence", "Evidence"],
    ["confidence", "Confidence"], ["rule", "Rule"], ["article_id", "Article"], ["claim_id", "Claim id"]];
  function renderDetail() {
    const d = state.detail;
    $("empty").hidden = true;
    $("detail").hidden = false;
    const badge = $("status");
    badge.textContent = d.status;
    badge.className = `badge st-${d.status}`;
    const r = d.review;
    const reason = d.stale_reason ? d.stale_reason + (r ? ` — last decision: ${r.decision} by ${r.annotator}` : "") : "";
    $("stale-reason").textContent = reason || (r ? `${r.decision} by ${r.annotator} at ${r.ts}` : "");
    const tbody = $("fields").tBodies[0];
    tbody.replaceChildren();
    const orig = d.claim, shown = d.edited || d.claim;
    if (shown) {
      for (const [key, label] of FIELD_ROWS) {
        const now = fieldText(shown, key), was = fieldText(orig, key);
        const td = el("td", { id: `f-${key}` });
        if (d.edited && now !== was) td.append(el("span", { class: "was" }, was));
        td.append(el("span", { class: "now" }, now));
        tbody.append(el("tr", {}, el("th", {}, label), td));
      }
    } else if (r) {
      tbody.append(el("tr", {}, el("th", {}, "Claim id"), el("td", { id: "f-claim_id" }, d.claim_id)));
      if (r.edits && Object.keys(r.edits).length)
        tbody.append(el("tr", {}, el("th", {}, "Edits"), el("td", {}, JSON.stringify(r.edits))));
    }
    for (const id of ["btn-accept", "btn-reject", "btn-edit"]) $(id).disabled = !orig;
    $("history").replaceChildren(...d.history.map((h) =>
      el("li", {}, `${h.ts} · ${h.annotator} · ${h.decision}` +
        (h.edits && Object.keys(h.edits).length ? " · " + JSON.stringify(h.edits) : "") +
        (orig && h.claim_sha !== d.claim_sha ? " (on an earlier version of the claim)" : ""))));
    $("history-box").hidden = !d.history.length;
    renderArticle(d.edited_spans || d.spans);
  }
  function renderArticle(spans) {
    const box = $("article-text");
    const art = state.article;
    box.replaceChildren();
    $("article-title").textContent = art ? `${art.title} — ${art.article_id}${art.published ? " · " + art.published : ""}` : "";
    if (!art) return;
    const cps = art.cps, n = cps.length;
    const clamp = (x) => Math.max(0, Math.min(n, x));
    const marks = [];
    for (const p of PARTS) if (spans && spans[p]) marks.push({ p, s: clamp(spans[p][0]), e: clamp(spans[p][1]) });
    const bounds = Array.from(new Set([0, n, ...marks.flatMap((m) => [m.s, m.e])])).sort((a, b) => a - b);
    const frag = document.createDocumentFragment();
    let first = null;
    for (let k = 0; k + 1 < bounds.length; k++) {
      const a = bounds[k], b = bounds[k + 1];
      if (a >= b) continue;
      const cls = marks.filter((m) => m.s <= a && b <= m.e).map((m) => "hl-" + m.p);
      const strong = cls.some((c) => c !== "hl-evidence");
      const seg = document.createElement(strong ? "mark" : "span");
      seg.dataset.s = String(a);
      if (cls.length) seg.className = cls.join(" ");
      seg.textContent = cps.slice(a, b).join("");
      if (!first && cls.length) first = seg;
      frag.append(seg);
    }
    box.append(frag);
    if (first) box.scrollTop = Math.max(0, first.offsetTop - box.clientHeight / 3);
  }

  // ---------- decisions ----------
  function annotator() { return $("annotator").value.trim(); }
  async function currentDetail() {
    await state.detailPromise;
    const item = state.items[state.index];
    const d = state.detail;
    return item && d && d.claim_id === item.claim_id ? d : null;
  }
  async function decide(decision, edits) {
    if (state.busy) return false;
    const d = await currentDetail();
    if (decision === "edit" && (!d || !state.editDetail || d.claim_id !== state.editDetail.claim_id)) {
      message("the edited claim is no longer the selected one; edit again", "error");
      return false;
    }
    if (!d || !d.claim) { message("nothing to decide: no claim selected (or the claim is gone from the store)", "error"); return false; }
    state.busy = true;
    try {
      const res = await post(`/api/claims/${encodeURIComponent(d.claim_id)}/review`,
        { decision, edits: edits || {}, annotator: annotator(), claim_sha: d.claim_sha });
      const i = state.index;
      const was = state.items[i].status;
      if (state.counts && was !== res.status) {
        state.counts[was] -= 1;
        state.counts[res.status] = (state.counts[res.status] || 0) + 1;
        renderCounts(state.counts);
      }
      state.items[i] = { ...state.items[i], status: res.status };
      refreshItem(i);
      $("claim-list").children[i]?.classList.add("current");
      message(`${res.status}: ${d.claim.subject ? d.claim.subject.text : ""} ${d.claim.metric} ${d.claim.value ? d.claim.value.text : ""} (saved ${res.review.ts})`, "ok");
      if (decision === "edit") await loadDetail(d.claim_id);
      else await next();
      return true;
    } catch (err) {
      message(err.message, "error");
      if (err.status === 409) await loadDetail(d.claim_id);
      return false;
    } finally {
      state.busy = false;
    }
  }

  // ---------- editing ----------
  function fillSelect(sel, values, withEmpty) {
    sel.replaceChildren(...(withEmpty ? [el("option", { value: "" }, "—")] : []),
      ...values.map((v) => el("option", { value: v }, v)));
  }
  function spanText(s, e) {
    const art = state.article;
    if (!art || !Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > art.cps.length || s >= e) return "";
    return art.cps.slice(s, e).join("");
  }
  function intOrNull(v) { const t = String(v).trim(); if (t === "") return null; const n = Number(t); return Number.isInteger(n) ? n : NaN; }
  function numOrNull(v, what) {
    const t = String(v).replace(/[,_\s]/g, "");
    if (t === "") return null;
    const n = Number(t);
    if (!Number.isFinite(n)) throw new Error(`${what}: "${v}" is not a number`);
    return n;
  }
  function buildSpanTable(spans) {
    const tbody = $("span-table").tBodies[0];
    tbody.replaceChildren();
    for (const p of PARTS) {
      const sp = spans[p];
      const s = el("input", { id: `e-${p}-start`, type: "number", min: "0", value: sp ? String(sp[0]) : "" });
      const e = el("input", { id: `e-${p}-end`, type: "number", min: "0", value: sp ? String(sp[1]) : "" });
      const txt = el("td", { class: "span-text", id: `e-${p}-text` }, sp ? spanText(sp[0], sp[1]) : "");
      const upd = () => { txt.textContent = spanText(intOrNull(s.value), intOrNull(e.value)); };
      s.addEventListener("input", upd);
      e.addEventListener("input", upd);
      const fromSel = el("button", { type: "button", id: `e-${p}-from-selection` }, "from selection");
      fromSel.addEventListener("mousedown", (ev) => ev.preventDefault()); // keep the text selection
      fromSel.addEventListener("click", () => {
        const off = selectionOffsets();
        if (!off) { message("select some text in the article first", "error"); return; }
        s.value = String(off[0]); e.value = String(off[1]); upd();
      });
      const cell = el("td", {}, fromSel);
      if (NULLABLE.has(p)) {
        const clear = el("button", { type: "button", id: `e-${p}-clear` }, "none");
        clear.addEventListener("click", () => { s.value = ""; e.value = ""; upd(); });
        cell.append(" ", clear);
      }
      tbody.append(el("tr", {}, el("th", {}, p), el("td", {}, s), el("td", {}, e), txt, cell));
    }
  }
  async function startEdit() {
    if (state.editing) return;
    const d = await currentDetail(); // the selected claim's detail, not one still on screen
    if (!d || !d.claim || state.editing) return;
    const c = d.edited || d.claim, spans = d.edited_spans || d.spans;
    state.editing = true;
    state.editDetail = d;
    $("e-metric").value = c.metric;
    $("e-hedge").value = c.hedge;
    $("e-negated").checked = !!c.negated;
    $("e-subject-canonical").value = c.subject ? c.subject.canonical || "" : "";
    $("e-source-canonical").value = c.source ? c.source.canonical || "" : "";
    const v = c.value || {};
    $("e-value-amount").value = v.amount ?? "";
    $("e-value-low").value = v.low ?? "";
    $("e-value-high").value = v.high ?? "";
    $("e-value-currency").value = v.currency ?? "";
    $("e-value-qualifier").value = v.qualifier || "exact";
    const t = c.time || {};
    $("e-time-interval_start").value = t.interval_start ?? "";
    $("e-time-interval_end").value = t.interval_end ?? "";
    $("e-time-grain").value = t.grain ?? "";
    buildSpanTable(spans);
    $("edit-form").hidden = false;
    $("e-metric").focus();
  }
  function cancelEdit() {
    state.editing = false;
    state.editDetail = null;
    $("edit-form").hidden = true;
    if ($("edit-form").contains(document.activeElement)) document.activeElement.blur();
  }
  function collectEdits() {
    const d = state.editDetail, o = d.claim, os = d.spans;
    const edits = {};
    if ($("e-metric").value !== o.metric) edits.metric = $("e-metric").value;
    if ($("e-hedge").value !== o.hedge) edits.hedge = $("e-hedge").value;
    if ($("e-negated").checked !== !!o.negated) edits.negated = $("e-negated").checked;
    for (const p of PARTS) {
      const s = intOrNull($(`e-${p}-start`).value), e = intOrNull($(`e-${p}-end`).value);
      if (Number.isNaN(s) || Number.isNaN(e)) throw new Error(`${p}: start and end must be whole numbers`);
      const part = {};
      if (s === null && e === null) {
        if (!NULLABLE.has(p)) throw new Error(`${p}: a span is required`);
        if (o[p]) edits[p] = null;
        continue;
      }
      if (s === null || e === null) throw new Error(`${p}: give both start and end`);
      if (!os[p] || os[p][0] !== s || os[p][1] !== e) { part.start = s; part.end = e; }
      const ov = o[p] || {};
      if (p === "subject" || p === "source") {
        const canon = $(`e-${p}-canonical`).value.trim();
        if (canon && canon !== (ov.canonical || "")) part.canonical = canon;
      } else if (p === "value") {
        for (const k of ["amount", "low", "high"]) {
          const n = numOrNull($(`e-value-${k}`).value, `value ${k}`);
          if (n !== (ov[k] ?? null)) part[k] = n;
        }
        const cur = $("e-value-currency").value.trim().toUpperCase() || null;
        if (cur !== (ov.currency ?? null)) part.currency = cur;
        const qual = $("e-value-qualifier").value;
        if (qual !== (ov.qualifier ?? "exact")) part.qualifier = qual;
      } else if (p === "time") {
        for (const k of ["interval_start", "interval_end"]) {
          const x = $(`e-time-${k}`).value.trim() || null;
          if (x !== (ov[k] ?? null)) part[k] = x;
        }
        const g = $("e-time-grain").value || null;
        if (g !== (ov.grain ?? null)) part.grain = g;
      }
      if (Object.keys(part).length) edits[p] = part;
    }
    return edits;
  }
  async function saveEdit() {
    let edits;
    try { edits = collectEdits(); } catch (err) { message(err.message, "error"); return; }
    if (!Object.keys(edits).length) { message("nothing changed: press a to accept instead", "error"); return; }
    const ok = await decide("edit", edits);
    if (ok) cancelEdit();
  }
  function selectionOffsets() {
    const sel = window.getSelection();
    if (!sel || !sel.rangeCount || sel.isCollapsed) return null;
    const r = sel.getRangeAt(0), box = $("article-text");
    if (!box.contains(r.startContainer) || !box.contains(r.endContainer)) return null;
    let s = pointOffset(box, r.startContainer, r.startOffset), e = pointOffset(box, r.endContainer, r.endOffset);
    if (s === null || e === null || e <= s) return null;
    const cps = state.article.cps;
    while (s < e && /\s/.test(cps[s])) s++;   // spans are minimal: no surrounding blanks
    while (e > s && /\s/.test(cps[e - 1])) e--;
    return e > s ? [s, e] : null;
  }
  function pointOffset(box, node, off) {
    if (node.nodeType === Node.TEXT_NODE) {
      const seg = node.parentElement;
      return Number(seg.dataset.s) + cpLength(node.data.slice(0, off));
    }
    if (node === box) {
      if (off >= box.childNodes.length) return state.article.cps.length;
      return Number(box.childNodes[off].dataset.s);
    }
    if (node.dataset && node.dataset.s !== undefined) {
      return Number(node.dataset.s) + (off === 0 ? 0 : cpLength(node.textContent));
    }
    return null;
  }

  // ---------- filters, keys, wiring ----------
  // Keyboard and button actions run one after another, so "a a j e" typed fast
  // acts on the claims the annotator saw, in order.
  let queue = Promise.resolve();
  function enqueue(fn) {
    queue = queue.then(fn).catch((err) => message(String(err && err.message || err), "error"));
    return queue;
  }
  function applyFilters() {
    state.filters.article = $("f-article").value;
    state.filters.subject = $("f-subject").value.trim();
    state.filters.metric = $("f-metric").value;
    state.filters.status = $("f-status").value;
    state.offset = 0;
    return loadList(0);
  }
  let debounce = null;
  function wire() {
    for (const id of ["f-article", "f-metric", "f-status"]) $(id).addEventListener("change", () => applyFilters());
    $("f-subject").addEventListener("input", () => { clearTimeout(debounce); debounce = setTimeout(applyFilters, 250); });
    $("filters").addEventListener("submit", (ev) => { ev.preventDefault(); clearTimeout(debounce); applyFilters(); document.activeElement.blur(); });
    $("claim-list").addEventListener("click", (ev) => {
      const li = ev.target.closest("li");
      if (li) enqueue(() => select(Number(li.dataset.index)));
    });
    $("prev-page").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); loadList(0); });
    $("next-page").addEventListener("click", () => { state.offset += PAGE; loadList(0); });
    $("btn-accept").addEventListener("click", () => enqueue(() => decide("accept")));
    $("btn-reject").addEventListener("click", () => enqueue(() => decide("reject")));
    $("btn-edit").addEventListener("click", () => enqueue(startEdit));
    $("edit-form").addEventListener("submit", (ev) => { ev.preventDefault(); enqueue(saveEdit); });
    $("e-cancel").addEventListener("click", () => cancelEdit());
    $("annotator").addEventListener("change", () => localStorage.setItem("newsclaims.annotator", annotator()));
    $("promote").addEventListener("click", async () => {
      try {
        const r = await post("/api/promote", {});
        message(`promoted ${r.written} claim(s) to gold; ${r.already_in_gold} already there; ${r.stale_skipped} stale skipped`, "ok");
      } catch (err) { message(err.message, "error"); }
    });
    document.addEventListener("keydown", (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const t = ev.target;
      const typing = t instanceof HTMLElement && t.matches("input, select, textarea");
      if (ev.key === "Escape") {
        if (state.editing) { ev.preventDefault(); cancelEdit(); }
        else if (typing) t.blur();
        return;
      }
      if (typing) return;
      switch (ev.key) {
        case "j": ev.preventDefault(); enqueue(next); break;
        case "k": ev.preventDefault(); enqueue(prev); break;
        case "a": if (!state.editing) { ev.preventDefault(); enqueue(() => decide("accept")); } break;
        case "r": if (!state.editing) { ev.preventDefault(); enqueue(() => decide("reject")); } break;
        case "e": ev.preventDefault(); enqueue(startEdit); break;
        case "/": ev.preventDefault(); $("f-subject").focus(); $("f-subject").select(); break;
        default: break;
      }
    });
  }
  async function init() {
    wire();
    let meta;
    try { meta = await api("/api/meta"); } catch (err) { message(err.message, "error"); return; }
    state.meta = meta;
    const fa = $("f-article");
    for (const a of meta.articles) fa.append(el("option", { value: a.article_id }, `${a.title} (${a.claims})`));
    for (const m of meta.metrics) $("f-metric").append(el("option", { value: m }, m));
    for (const s of meta.statuses) $("f-status").append(el("option", { value: s }, s));
    $("subjects").replaceChildren(...meta.subjects.map((s) => el("option", { value: s })));
    fillSelect($("e-metric"), meta.metrics);
    fillSelect($("e-hedge"), meta.hedges);
    fillSelect($("e-value-qualifier"), meta.qualifiers);
    fillSelect($("e-time-grain"), meta.grains, true);
    $("annotator").value = localStorage.getItem("newsclaims.annotator") || meta.annotator;
    if (meta.review_problems.length) message(`${meta.review_problems.length} unreadable line(s) in reviews.jsonl were skipped`, "error");
    const claim = readHash();
    $("f-article").value = state.filters.article;
    $("f-subject").value = state.filters.subject;
    $("f-metric").value = state.filters.metric;
    $("f-status").value = state.filters.status;
    await loadList(claim || 0);
    document.body.dataset.ready = "1";
  }
  init();
})();
