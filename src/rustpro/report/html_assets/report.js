/* rustpro HTML report: renders the embedded findings a page at a time, with filters.
 * Plain JavaScript, no library, no request. Every text from the report is put into the
 * page with textContent (never innerHTML), so code and messages need no escaping here. */
(function () {
  "use strict";
  var PAGE_SIZE = 50;
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var F = data.findings;
  var RULES = data.rules;
  var FILES = data.files;
  var SRC = data.sources;
  var SEV = data.severities;
  var CP = data.checkpoints;
  var state = { sev: new Set(), cp: new Set(), rule: -1, path: "", order: "severity", page: 0 };
  var shown = [];
  var $ = function (id) { return document.getElementById(id); };
  var list = $("finding-list");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* Text with `code` spans and web addresses, as messages and help lines write them. */
  function prose(parent, text) {
    var parts = String(text).split("`");
    for (var i = 0; i < parts.length; i++) {
      if (!parts[i]) continue;
      // An unpaired backtick at the end stays text.
      if (i % 2 === 1 && i < parts.length - 1) parent.appendChild(el("code", null, parts[i]));
      else linked(parent, i % 2 === 1 ? "`" + parts[i] : parts[i]);
    }
    return parent;
  }

  /* A link opens only when clicked: the page itself still requests nothing. */
  function linked(parent, text) {
    var pieces = text.split(/(https?:\/\/[^\s<>"')]+[^\s<>"').,;:])/);
    for (var i = 0; i < pieces.length; i++) {
      if (!pieces[i]) continue;
      if (i % 2 === 1) parent.appendChild(anchor(pieces[i], pieces[i]));
      else parent.appendChild(document.createTextNode(pieces[i]));
    }
  }

  function count(key, size) {
    var counts = new Array(size).fill(0);
    for (var i = 0; i < F.length; i++) counts[F[i][key]]++;
    return counts;
  }
  var sevCounts = count("s", SEV.length);
  var cpCounts = count("c", CP.length);
  var ruleCounts = count("r", RULES.length);
  var ruleIndex = {};
  RULES.forEach(function (rule, i) { ruleIndex[rule.name] = i; });
  var fileIndex = {};
  FILES.forEach(function (path, i) { fileIndex[path] = i; });

  /* Filters */
  function chip(label, n, pressed, dotClass) {
    var b = el("button", "chip");
    b.type = "button";
    b.setAttribute("aria-pressed", pressed ? "true" : "false");
    if (dotClass) b.appendChild(el("span", "dot " + dotClass));
    b.appendChild(document.createTextNode(label));
    b.appendChild(el("span", "n", n.toLocaleString("en")));
    return b;
  }

  function buildFilters() {
    var sevBox = $("severity-filter");
    SEV.forEach(function (name, i) {
      if (!sevCounts[i]) return;
      var b = chip(name, sevCounts[i], false, "dot-" + name);
      b.dataset.severity = name;
      b.addEventListener("click", function () { toggle(state.sev, i); });
      sevBox.appendChild(b);
    });
    var cpBox = $("checkpoint-filter");
    CP.forEach(function (name, i) {
      if (!cpCounts[i]) return;
      var b = chip(name, cpCounts[i], false, null);
      b.dataset.checkpoint = name;
      b.addEventListener("click", function () { toggle(state.cp, i); });
      cpBox.appendChild(b);
    });
    var select = $("rule-filter");
    select.appendChild(new Option("All rules (" + RULES.length + ")", "-1"));
    RULES.map(function (rule, i) { return i; })
      .sort(function (a, b) { return ruleCounts[b] - ruleCounts[a] || (RULES[a].name < RULES[b].name ? -1 : 1); })
      .forEach(function (i) {
        select.appendChild(new Option(RULES[i].name + " (" + ruleCounts[i] + ")", String(i)));
      });
    select.addEventListener("change", function () { state.rule = Number(select.value); apply(); });
    var search = $("path-filter");
    var timer = 0;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.path = search.value.trim(); apply(); }, 120);
    });
    $("order").addEventListener("change", function (e) { state.order = e.target.value; apply(); });
    $("reset").addEventListener("click", function () {
      state.sev.clear(); state.cp.clear(); state.rule = -1; state.path = "";
      select.value = "-1"; search.value = "";
      apply();
    });
  }

  function toggle(set, value) {
    if (set.has(value)) set.delete(value); else set.add(value);
    apply();
  }

  function pathMatcher(query) {
    if (!query) return null;
    var exact = fileIndex[query];
    if (exact !== undefined) return function (f) { return f.f === exact; };
    var needle = query.toLowerCase();
    var hits = FILES.map(function (path) { return path.toLowerCase().indexOf(needle) >= 0; });
    return function (f) { return f.f >= 0 && hits[f.f]; };
  }

  var ORDERS = {
    place: null,
    severity: function (a, b) { return F[a].s - F[b].s || a - b; },
    rule: function (a, b) {
      var x = RULES[F[a].r].name, y = RULES[F[b].r].name;
      return x < y ? -1 : x > y ? 1 : a - b;
    }
  };

  function apply(keepPage) {
    var byPath = pathMatcher(state.path);
    shown = [];
    for (var i = 0; i < F.length; i++) {
      var f = F[i];
      if (state.sev.size && !state.sev.has(f.s)) continue;
      if (state.cp.size && !state.cp.has(f.c)) continue;
      if (state.rule >= 0 && f.r !== state.rule) continue;
      if (byPath && !byPath(f)) continue;
      shown.push(i);
    }
    if (ORDERS[state.order]) shown.sort(ORDERS[state.order]);
    if (!keepPage) state.page = 0;
    syncControls();
    renderPage();
  }

  function syncControls() {
    document.querySelectorAll("#severity-filter .chip").forEach(function (b) {
      b.setAttribute("aria-pressed", state.sev.has(SEV.indexOf(b.dataset.severity)) ? "true" : "false");
    });
    document.querySelectorAll("#checkpoint-filter .chip").forEach(function (b) {
      b.setAttribute("aria-pressed", state.cp.has(CP.indexOf(b.dataset.checkpoint)) ? "true" : "false");
    });
    document.querySelectorAll(".cp-chart .cp").forEach(function (g) {
      g.classList.toggle("active", state.cp.has(CP.indexOf(g.dataset.checkpoint)));
    });
    document.querySelectorAll(".bar-row[data-rule]").forEach(function (b) {
      b.classList.toggle("active", state.rule >= 0 && RULES[state.rule].name === b.dataset.rule);
    });
    document.querySelectorAll(".bar-row[data-path]").forEach(function (b) {
      b.classList.toggle("active", state.path === b.dataset.path);
    });
    var filtered = state.sev.size || state.cp.size || state.rule >= 0 || state.path;
    $("reset").hidden = !filtered;
  }

  /* One page of findings */
  function renderPage() {
    var pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    state.page = Math.min(state.page, pages - 1);
    var start = state.page * PAGE_SIZE;
    var end = Math.min(start + PAGE_SIZE, shown.length);
    var fragment = document.createDocumentFragment();
    for (var i = start; i < end; i++) fragment.appendChild(card(F[shown[i]]));
    list.textContent = "";
    if (!shown.length) {
      list.appendChild(el("li", "nothing", F.length ? "No finding matches these filters." : "No findings: nothing to review."));
    }
    list.appendChild(fragment);
    var total = F.length.toLocaleString("en");
    $("count").textContent = shown.length
      ? "Showing " + (start + 1).toLocaleString("en") + "–" + end.toLocaleString("en") + " of " +
        shown.length.toLocaleString("en") + (shown.length < F.length ? " (filtered from " + total + ")" : "")
      : "0 of " + total;
    renderPager(pages);
  }

  function renderPager(pages) {
    var pager = $("pager");
    pager.textContent = "";
    if (pages <= 1) return;
    var prev = el("button", null, "← Previous");
    prev.type = "button";
    prev.disabled = state.page === 0;
    prev.addEventListener("click", function () { go(state.page - 1); });
    var next = el("button", null, "Next →");
    next.type = "button";
    next.id = "next-page";
    next.disabled = state.page >= pages - 1;
    next.addEventListener("click", function () { go(state.page + 1); });
    pager.appendChild(prev);
    pager.appendChild(el("span", null, "page " + (state.page + 1) + " of " + pages));
    pager.appendChild(next);
  }

  function go(page) {
    state.page = page;
    renderPage();
    $("findings").scrollIntoView({ block: "start" });
  }

  function card(f) {
    var sev = SEV[f.s];
    var rule = RULES[f.r];
    var li = el("li", "finding sev-" + sev);
    var head = el("div", "f-head");
    head.appendChild(el("span", "sev", sev));
    var link = el("a", "rule-link", rule.name);
    link.href = "#rule-" + rule.name;
    head.appendChild(link);
    head.appendChild(el("span", "tag", CP[f.c]));
    if (f.src) head.appendChild(el("span", "tag source", f.src));
    if (f.g) head.appendChild(el("span", "tag", f.g));
    if (f.also) head.appendChild(el("span", "tag", "also " + f.also.join(", ")));
    var path = f.f >= 0 ? FILES[f.f] : "";
    head.appendChild(el("span", "loc", path ? path + ":" + f.l + ":" + f.k : ""));
    li.appendChild(head);
    li.appendChild(prose(el("p", "msg"), f.m));
    if (f.a !== undefined) li.appendChild(frame(f));
    else if (path) li.appendChild(el("p", "no-frame", "(the source of " + path + " could not be read)"));
    var help = el("p", "help");
    help.appendChild(el("b", null, "help"));
    li.appendChild(prose(help, f.h));
    if (f.rel) li.appendChild(related(f));
    return li;
  }

  function related(f) {
    var ul = el("ul", "related");
    f.rel.forEach(function (r) {
      var item = el("li");
      item.appendChild(el("b", null, "note"));
      prose(item, r[3] || "related");
      item.appendChild(document.createTextNode(" at "));
      item.appendChild(el("span", "where", r[0] + ":" + r[1] + ":" + r[2]));
      ul.appendChild(item);
    });
    if (f.more) {
      var more = el("li", "muted", "and " + f.more.toLocaleString("en") + " more (--format json lists them all)");
      ul.appendChild(more);
    }
    return ul;
  }

  /* Characters, not UTF-16 units: columns count characters, as rustc does. */
  function chars(text) {
    var cs = /[\uD800-\uDFFF]/.test(text) ? Array.from(text) : text.split("");
    // A tab is shown as four spaces, as the text report does: tab stops would be counted
    // from the line number gutter. One array element per character keeps the columns.
    for (var i = 0; i < cs.length; i++) if (cs[i] === "\t") cs[i] = "    ";
    return cs;
  }

  /* A file's shown lines by number: its runs of lines ({"12": "line 12\nline 13"}), split
   * when one of its frames is first shown. A line too long for a frame is empty here; the
   * findings on it carry it clipped (f.x). */
  var LINES = {};
  function fileLines(index) {
    var lines = LINES[index];
    if (lines) return lines;
    lines = LINES[index] = {};
    var runs = SRC[index] || {};
    for (var first in runs) {
      var texts = runs[first].split("\n");
      for (var i = 0; i < texts.length; i++) lines[Number(first) + i] = texts[i];
    }
    return lines;
  }

  function frame(f) {
    var pre = el("pre", "frame");
    var lines = fileLines(f.f);
    var clipped = f.x || {};
    var last = Math.max(f.el, f.l);
    for (var n = f.a; n <= f.b; n++) {
      var clip = clipped[n];
      var offset = clip ? clip[0] : 0;
      var text = clip ? clip[1] : (lines[n] || "");
      var row = el("span", "line");
      var hit = n >= f.l && n <= last;
      if (hit) row.className += " hit";
      row.appendChild(el("span", "ln", String(n)));
      if (offset > 0) row.appendChild(el("span", "cut", "…"));
      var cs = chars(text);
      var range = hit ? marked(f, n, cs, offset) : null;
      if (range && range[0] < range[1]) {
        row.appendChild(document.createTextNode(cs.slice(0, range[0]).join("")));
        row.appendChild(el("mark", null, cs.slice(range[0], range[1]).join("")));
        row.appendChild(document.createTextNode(cs.slice(range[1]).join("")));
      } else {
        row.appendChild(document.createTextNode(cs.join("")));
      }
      if (clip && clip[2]) row.appendChild(el("span", "cut", "…"));
      pre.appendChild(row);
    }
    return pre;
  }

  /* The characters [start, end) of line n that the finding's span covers. */
  function marked(f, n, cs, offset) {
    var content = cs.length;
    while (content > 0 && /\s/.test(cs[content - 1])) content--;
    var indent = 0;
    while (indent < content && /\s/.test(cs[indent])) indent++;
    var start = n === f.l ? f.k - 1 - offset : indent;
    var end = content;
    var oneLine = f.el <= f.l;
    if (n === f.el && !(oneLine && f.ek <= f.k)) end = Math.min(f.ek - 1 - offset, content);
    start = Math.max(0, Math.min(start, content));
    end = Math.max(start, Math.min(end, content));
    return [start, end];
  }

  /* Rule pages: Markdown rendered when first opened. */
  function inline(parent, text) {
    var pattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)|(\[[^\]]+\]\([^)\s]+\))|(<https?:\/\/[^>\s]+>)/g;
    var at = 0, m;
    while ((m = pattern.exec(text))) {
      if (m.index > at) parent.appendChild(document.createTextNode(text.slice(at, m.index)));
      var token = m[0];
      if (m[1]) parent.appendChild(el("code", null, token.slice(1, -1)));
      else if (m[2]) inline(parent.appendChild(el("strong")), token.slice(2, -2));
      else if (m[3]) inline(parent.appendChild(el("em")), token.slice(1, -1));
      else if (m[4]) {
        var label = token.slice(1, token.indexOf("]("));
        parent.appendChild(anchor(label, token.slice(token.indexOf("](") + 2, -1)));
      } else parent.appendChild(anchor(token.slice(1, -1), token.slice(1, -1)));
      at = pattern.lastIndex;
    }
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
    return parent;
  }

  function anchor(label, target) {
    var page = /^([a-z0-9-]+)\.md$/.exec(target);
    if (page && ruleIndex[page[1]] !== undefined) {
      var local = el("a", null, label);
      local.href = "#rule-" + page[1];
      return local;
    }
    if (!/^https?:\/\//.test(target)) return document.createTextNode(label);
    var a = el("a", null, label);
    a.href = target;
    a.rel = "noopener noreferrer";
    a.target = "_blank";
    return a;
  }

  var ITEM = /^(\s*)([-*]|\d+\.)\s+(.*)$/;

  function markdown(text, container, skipTitle) {
    var lines = text.replace(/\r/g, "").split("\n");
    var i = 0;
    while (i < lines.length) {
      var line = lines[i];
      if (/^\s*$/.test(line)) { i++; continue; }
      if (/^\s*```/.test(line)) {
        var code = [];
        for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) code.push(lines[i]);
        i++;
        container.appendChild(el("pre")).appendChild(el("code", null, code.join("\n")));
        continue;
      }
      var heading = /^(#{1,6})\s+(.*)$/.exec(line);
      if (heading) {
        i++;
        if (heading[1].length === 1 && heading[2] === skipTitle) continue;
        inline(container.appendChild(el(heading[1].length === 1 ? "h3" : "h4")), heading[2]);
        continue;
      }
      if (ITEM.test(line)) { i = listAt(lines, i, container); continue; }
      var para = [];
      while (i < lines.length && !/^\s*$/.test(lines[i]) && !/^\s*```/.test(lines[i]) &&
             !/^#{1,6}\s/.test(lines[i]) && !ITEM.test(lines[i])) para.push(lines[i++].trim());
      inline(container.appendChild(el("p")), para.join(" "));
    }
  }

  function listAt(lines, i, parent) {
    var first = ITEM.exec(lines[i]);
    var indent = first[1].length;
    var listEl = parent.appendChild(el(/\d/.test(first[2]) ? "ol" : "ul"));
    while (i < lines.length) {
      var m = ITEM.exec(lines[i]);
      if (!m || m[1].length !== indent) break;
      var item = listEl.appendChild(el("li"));
      var words = [m[3]];
      i++;
      while (i < lines.length) {
        var line = lines[i];
        if (/^\s*$/.test(line)) {
          var j = i;
          while (j < lines.length && /^\s*$/.test(lines[j])) j++;
          var next = j < lines.length ? ITEM.exec(lines[j]) : null;
          if (next && next[1].length >= indent) { i = j; continue; }
          break;
        }
        var sub = ITEM.exec(line);
        if (sub && sub[1].length > indent) {
          inline(item, words.join(" "));
          words = [];
          i = listAt(lines, i, item);
          continue;
        }
        if (sub || line.search(/\S/) <= indent) break;
        words.push(line.trim());
        i++;
      }
      if (words.length) inline(item, words.join(" "));
    }
    return i;
  }

  function fillRulePage(details) {
    if (details.dataset.filled) return;
    details.dataset.filled = "1";
    var rule = RULES[Number(details.dataset.rule)];
    var box = details.querySelector(".md");
    if (rule.url) {
      var a = anchor("Documentation of " + rule.name + " ↗", rule.url);
      a.className = "doc-link";
      box.appendChild(a);
    }
    markdown(rule.md, box, rule.name);
  }

  function openRuleFromHash() {
    var hash = decodeURIComponent(location.hash.slice(1));
    if (hash.indexOf("rule-") !== 0) return;
    var details = document.getElementById(hash);
    if (!details) return;
    fillRulePage(details);
    details.open = true;
    details.scrollIntoView({ block: "start" });
  }

  function wireCharts() {
    document.querySelectorAll(".cp-chart .cp").forEach(function (g) {
      var pick = function () {
        var i = CP.indexOf(g.dataset.checkpoint);
        var only = state.cp.size === 1 && state.cp.has(i);
        state.cp.clear();
        if (!only) state.cp.add(i);
        apply();
        if (!only) $("findings").scrollIntoView({ block: "start" });
      };
      g.addEventListener("click", pick);
      g.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); }
      });
    });
    document.querySelectorAll(".bar-row[data-rule]").forEach(function (b) {
      b.addEventListener("click", function () {
        var i = ruleIndex[b.dataset.rule];
        state.rule = state.rule === i ? -1 : i;
        $("rule-filter").value = String(state.rule);
        apply();
        $("findings").scrollIntoView({ block: "start" });
      });
    });
    document.querySelectorAll(".bar-row[data-path]").forEach(function (b) {
      b.addEventListener("click", function () {
        state.path = state.path === b.dataset.path ? "" : b.dataset.path;
        $("path-filter").value = state.path;
        apply();
        $("findings").scrollIntoView({ block: "start" });
      });
    });
    document.querySelectorAll(".rule-page").forEach(function (d) {
      d.addEventListener("toggle", function () { if (d.open) fillRulePage(d); });
    });
    window.addEventListener("hashchange", openRuleFromHash);
    // A second click on the same rule's link changes no hash: open its page all the same.
    list.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("a.rule-link");
      if (!a) return;
      e.preventDefault();
      history.pushState(null, "", a.getAttribute("href"));
      openRuleFromHash();
    });
  }

  buildFilters();
  wireCharts();
  apply();
  openRuleFromHash();
  document.documentElement.dataset.ready = String(performance.now());
})();
