/* dedupe report: the cluster list, search and link views. Corpus text only ever goes
   into the page through textContent / createTextNode, never as markup. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var clusters = data.clusters, docs = data.docs;
  var PAGE = 100;
  var listEl = document.getElementById("list");
  var moreBtn = document.getElementById("more");
  var input = document.getElementById("q");
  var foundEl = document.getElementById("found");
  var matches = [], shown = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(x) { return (x === null || x === undefined) ? "–" : (+x).toFixed(3); }
  function pair(v) { return v ? fmt(v[0]) + " / " + fmt(v[1]) : "–"; }
  function doc(id) { return docs[id] || {}; }

  var hay = clusters.map(function (c) {
    var parts = [c.id];
    c.members.forEach(function (m) {
      parts.push(m);
      var d = docs[m];
      if (d) { if (d.url) parts.push(d.url); if (d.title) parts.push(d.title); }
    });
    return parts.join("\n").toLowerCase();
  });

  function filter(q) {
    var words = q.toLowerCase().split(/\s+/).filter(Boolean);
    matches = [];
    for (var i = 0; i < clusters.length; i++) {
      var h = hay[i], ok = true;
      for (var w = 0; w < words.length; w++) { if (h.indexOf(words[w]) < 0) { ok = false; break; } }
      if (ok) matches.push(i);
    }
    shown = 0;
    listEl.textContent = "";
    foundEl.textContent = words.length ? matches.length + " of " + clusters.length + " listed clusters match"
                                       : clusters.length + " clusters listed";
    if (!matches.length) listEl.appendChild(el("p", "muted", "No listed cluster matches."));
    showMore();
  }

  function showMore() {
    var end = Math.min(matches.length, shown + PAGE);
    for (; shown < end; shown++) listEl.appendChild(row(clusters[matches[shown]]));
    moreBtn.hidden = shown >= matches.length;
    moreBtn.textContent = "Show more (" + (matches.length - shown) + " left)";
  }

  function row(c) {
    var box = el("div", "cluster");
    box.id = "cluster-" + c.id;
    box.setAttribute("data-cluster", c.id);
    var head = el("div", "head");
    head.setAttribute("role", "button");
    head.tabIndex = 0;
    var canon = doc(c.canonical);
    head.appendChild(el("span", "size", c.n + (c.n === 1 ? " document" : " documents")));
    head.appendChild(el("span", "title", canon.title || c.canonical));
    var kinds = {};
    c.links.forEach(function (l) { kinds[l.kind] = (kinds[l.kind] || 0) + 1; });
    Object.keys(kinds).sort().forEach(function (k) {
      head.appendChild(el("span", "pill " + k.replace(" ", "-"), kinds[k] + " " + k));
    });
    head.appendChild(el("code", "cid", c.id));
    box.appendChild(head);
    var body = null;
    function toggle() {
      if (!body) { body = clusterBody(c); box.appendChild(body); }
      else body.hidden = !body.hidden;
      box.classList.toggle("open", !body.hidden);
    }
    head.addEventListener("click", toggle);
    head.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); toggle(); } });
    box.open = function (withLinks) {
      if (!body || body.hidden) toggle();
      if (withLinks) body.querySelectorAll(".link button.cmp").forEach(function (b) { if (!b.parentNode.parentNode.querySelector(".pair")) b.click(); });
    };
    return box;
  }

  function clusterBody(c) {
    var body = el("div", "body");
    var p = el("p");
    p.appendChild(el("span", "pill canon", "canonical"));
    p.appendChild(document.createTextNode(" " + c.canonical + ": " + c.reason));
    body.appendChild(p);
    var table = el("table", "members");
    var tr = el("tr");
    ["document", "source", "title", "url", "published"].forEach(function (h) { tr.appendChild(el("th", null, h)); });
    var thead = el("thead"); thead.appendChild(tr); table.appendChild(thead);
    var tbody = el("tbody");
    c.members.forEach(function (m) {
      var d = doc(m), r = el("tr");
      var td = el("td"); td.appendChild(el("code", null, m));
      if (m === c.canonical) { td.appendChild(document.createTextNode(" ")); td.appendChild(el("span", "pill canon", "canonical")); }
      r.appendChild(td);
      r.appendChild(el("td", null, d.source || ""));
      r.appendChild(el("td", null, d.title || ""));
      r.appendChild(el("td", null, d.url || ""));
      r.appendChild(el("td", null, d.published || ""));
      tbody.appendChild(r);
    });
    table.appendChild(tbody);
    body.appendChild(table);
    if (c.more_members) body.appendChild(el("p", "muted", c.more_members + " more members (clusters.jsonl lists them all)"));
    if (!c.links.length && c.n > 1) body.appendChild(el("p", "muted", "No link listed."));
    c.links.forEach(function (l) { body.appendChild(linkView(c, l)); });
    if (c.more_links) body.appendChild(el("p", "muted", c.more_links + " more links (clusters.jsonl lists them all)"));
    if (c.n > 1 && !c.detail) body.appendChild(el("p", "muted", "The texts of this cluster are not in the page (see the notes above the list)."));
    return body;
  }

  function linkView(c, l) {
    var box = el("div", "link");
    var head = el("div", "lhead");
    head.appendChild(el("span", "pill " + l.kind.replace(" ", "-"), l.kind));
    head.appendChild(el("strong", null, "score " + fmt(l.score)));
    var ids = el("span"); ids.appendChild(el("code", null, l.a)); ids.appendChild(document.createTextNode(" ↔ ")); ids.appendChild(el("code", null, l.b));
    head.appendChild(ids);
    head.appendChild(el("span", "metrics", "jaccard " + fmt(l.jaccard) + " · containment " + pair(l.containment) +
      " · coverage " + pair(l.coverage) + " · close coverage " + pair(l.close) + " · shared sentences " + (l.shared === undefined ? "–" : l.shared)));
    var btn = el("button", "cmp", "compare texts");
    btn.type = "button";
    head.appendChild(btn);
    box.appendChild(head);
    var view = null;
    btn.addEventListener("click", function () {
      if (!view) { view = pairView(c, l); box.appendChild(view); btn.textContent = "hide texts"; }
      else { view.hidden = !view.hidden; btn.textContent = view.hidden ? "compare texts" : "hide texts"; }
    });
    return box;
  }

  function pairView(c, l) {
    var wrap = el("div");
    if (l.kind === "exact copy") wrap.appendChild(el("p", "muted", "  An exact copy: the same words once normalised (case, quotes, accents), so nothing is highlighted."));
    var grid = el("div", "pair");
    grid.appendChild(side(l.a, l.ha, c));
    grid.appendChild(side(l.b, l.hb, c));
    wrap.appendChild(grid);
    if (l.passages.length && (!l.ha || !l.hb)) {
      var ol = el("ol", "passages");
      l.passages.forEach(function (p) { ol.appendChild(el("li", null, "shared: " + p.text)); });
      wrap.appendChild(ol);
    }
    return wrap;
  }

  function side(id, marks, c) {
    var d = doc(id), s = el("div", "side");
    s.appendChild(el("h4", null, (d.title || id) + (id === c.canonical ? "  (canonical)" : "")));
    var meta = [id, d.source, d.published, d.url].filter(Boolean).join(" · ");
    s.appendChild(el("div", "meta", meta));
    if (d.text === undefined) {
      s.appendChild(el("p", "muted", data.complete ? "The text is not in the page (size budget)."
        : "The text is not in the output folder: only canonical texts are in canonical.jsonl (dedupe run --report shows it)."));
      return s;
    }
    var t = el("div", "text");
    var text = d.text, at = 0;
    (marks || []).slice().sort(function (x, y) { return x[0] - y[0] || x[1] - y[1]; }).forEach(function (m) {
      var a = Math.max(m[0], at), b = m[1];
      if (b <= a) return;
      if (a > at) t.appendChild(document.createTextNode(text.slice(at, a)));
      var mk = el("mark", "p" + (m[2] % 6), text.slice(a, b));
      mk.title = "shared passage " + (m[2] + 1);
      t.appendChild(mk);
      at = b;
    });
    if (at < text.length) t.appendChild(document.createTextNode(text.slice(at)));
    s.appendChild(t);
    if (d.cut) s.appendChild(el("p", "muted", "Cut at " + text.length + " of " + d.cut + " characters."));
    return s;
  }

  function fromHash() {
    var h = decodeURIComponent(location.hash.slice(1));
    if (h.indexOf("q=") === 0) {
      input.value = h.slice(2);
      filter(input.value);
    } else if (h.indexOf("c=") === 0) {
      var id = h.slice(2), at = -1;
      for (var i = 0; i < clusters.length; i++) if (clusters[i].id === id) { at = i; break; }
      if (at < 0) { input.value = id; filter(id); return; }
      input.value = ""; filter("");
      while (matches.indexOf(at) >= shown && shown < matches.length) showMore();
      var box = document.getElementById("cluster-" + id);
      box.open(true);
      box.scrollIntoView();
    }
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      filter(input.value);
      history.replaceState(null, "", input.value ? "#q=" + encodeURIComponent(input.value) : location.pathname);
    }, 120);
  });
  moreBtn.addEventListener("click", showMore);
  window.addEventListener("hashchange", fromHash);
  filter("");
  if (location.hash.length > 1) fromHash();
  document.body.setAttribute("data-ready", "1");
})();
