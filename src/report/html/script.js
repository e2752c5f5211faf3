
"use strict";
(function () {
  var matrix = document.getElementById("matrix");
  if (!matrix) { return; }
  var body = matrix.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var partnerInput = document.getElementById("filter-partner");
  var ruleSelect = document.getElementById("filter-rule");
  var severitySelect = document.getElementById("filter-severity");
  var sortSelect = document.getElementById("sort");
  var shown = document.getElementById("shown");
  var ruleHeads = Array.prototype.slice.call(matrix.querySelectorAll("th.rule-h"));
  var lastCell = null;
  var chosen = "";

  function words(list) { return (list || "").split(" ").filter(Boolean); }

  function filter() {
    var text = partnerInput.value.trim().toLowerCase();
    var rule = ruleSelect.value;
    var severity = severitySelect.value;
    var count = 0;
    rows.forEach(function (row) {
      var haystack = [row.dataset.name, row.dataset.partner, row.dataset.path].join("\n").toLowerCase();
      var keep = (!text || haystack.indexOf(text) !== -1)
        && (!rule || words(row.dataset.rules).indexOf(rule) !== -1)
        && (!severity || words(row.dataset.severities).indexOf(severity) !== -1);
      row.hidden = !keep;
      if (keep) { count += 1; }
    });
    // The chosen rule's column stands out.
    if (rule !== chosen) {
      var column = function (id) {
        var i = ruleHeads.findIndex(function (th) { return th.dataset.rule === id; });
        return i === -1 ? [] : [ruleHeads[i]].concat(rows.map(function (row) {
          return row.querySelectorAll("button.cell")[i].parentElement;
        }));
      };
      if (chosen) { column(chosen).forEach(function (el) { el.classList.remove("chosen"); }); }
      if (rule) { column(rule).forEach(function (el) { el.classList.add("chosen"); }); }
      chosen = rule;
    }
    shown.textContent = "Showing " + count + " of " + rows.length + " partner" + (rows.length === 1 ? "" : "s");
    if (lastCell && lastCell.closest("tr").hidden) { lastCell = null; }
    resetTabStop();
  }

  function sort() {
    var by = sortSelect.value;
    var sorted = rows.slice().sort(function (a, b) {
      if (by === "failures") {
        var d = Number(b.dataset.failures) - Number(a.dataset.failures);
        if (d) { return d; }
        d = Number(b.dataset.errors) - Number(a.dataset.errors);
        if (d) { return d; }
      }
      return a.dataset.name.localeCompare(b.dataset.name, undefined, { sensitivity: "base" })
        || (a.dataset.path < b.dataset.path ? -1 : a.dataset.path > b.dataset.path ? 1 : 0);
    });
    sorted.forEach(function (row) { body.appendChild(row); });
    rows = sorted;
    resetTabStop();
  }

  // One control of the matrix is in the tab order; the arrow keys move
  // between the cells (the grid pattern of the ARIA practices). The grid of
  // shown rows is worked out again only after a filter or a sort.
  var grid = null;
  function controls() {
    if (!grid) {
      grid = rows.filter(function (r) { return !r.hidden; }).map(function (r) {
        return Array.prototype.slice.call(r.querySelectorAll("button.partner, button.cell"));
      });
    }
    return grid;
  }
  var tabStop = null;
  function setTabStop(el) {
    if (tabStop) { tabStop.tabIndex = -1; }
    tabStop = el;
    if (el) { el.tabIndex = 0; }
  }
  function resetTabStop() {
    grid = null;
    var shownGrid = controls();
    if (lastCell && !lastCell.closest("tr").hidden) { setTabStop(lastCell); return; }
    setTabStop(shownGrid.length ? shownGrid[0][0] : null);
  }
  matrix.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.matches("button.cell, button.partner")) { return; }
    var grid = controls();
    var y = grid.findIndex(function (r) { return r[0] === target.closest("tr").querySelector("button.partner"); });
    if (y === -1) { return; }
    var x = grid[y].indexOf(target);
    var last = grid[y].length - 1;
    switch (event.key) {
      case "ArrowRight": x = Math.min(x + 1, last); break;
      case "ArrowLeft": x = Math.max(x - 1, 0); break;
      case "ArrowDown": y = Math.min(y + 1, grid.length - 1); break;
      case "ArrowUp": y = Math.max(y - 1, 0); break;
      case "Home": x = 0; if (event.ctrlKey) { y = 0; } break;
      case "End": x = last; if (event.ctrlKey) { y = grid.length - 1; } break;
      default: return;
    }
    event.preventDefault();
    var next = grid[y][Math.min(x, grid[y].length - 1)];
    setTabStop(next);
    next.focus();
  });

  function show(key, rule, cell) {
    var sections = document.querySelectorAll("#details > section.partner");
    Array.prototype.forEach.call(sections, function (s) { s.hidden = s.dataset.key !== key; });
    var section = document.getElementById(key);
    if (!section) { return; }
    var found = 0;
    Array.prototype.forEach.call(section.querySelectorAll("article.finding"), function (a) {
      a.hidden = !!rule && a.dataset.rule !== rule;
      if (!a.hidden) { found += 1; }
    });
    var clean = section.querySelector(".clean");
    if (clean) { clean.hidden = !!rule; }
    var verdict = section.querySelector(".verdict");
    verdict.hidden = !rule || found > 0;
    verdict.textContent = rule && found === 0 && cell ? cell.getAttribute("aria-label") + "." : "";
    Array.prototype.forEach.call(matrix.querySelectorAll("button.current"), function (b) { b.classList.remove("current"); });
    if (cell) { cell.classList.add("current"); }
    section.scrollIntoView({ block: "start" });
    section.focus({ preventScroll: true });
  }

  matrix.addEventListener("click", function (event) {
    var button = event.target.closest("button.cell, button.partner");
    if (!button) { return; }
    lastCell = button;
    setTabStop(button);
    show(button.closest("tr").dataset.key, button.classList.contains("cell") ? button.dataset.rule : "", button);
  });

  // A cell's words as its tooltip, given when the pointer first reaches it
  // (the page does not carry them twice).
  matrix.addEventListener("mouseover", function (event) {
    var cell = event.target.closest("button.cell");
    if (cell && !cell.title) { cell.title = cell.getAttribute("aria-label"); }
  });

  // Escape in the details, or "Back to the matrix", returns to the cell.
  var details = document.getElementById("details");
  function back(event) {
    if (!lastCell) { return; }
    event.preventDefault();
    lastCell.focus();
    lastCell.scrollIntoView({ block: "center" });
  }
  details.addEventListener("keydown", function (event) { if (event.key === "Escape") { back(event); } });
  details.addEventListener("click", function (event) { if (event.target.closest(".back a")) { back(event); } });

  // Without a script every partner's findings are shown; with one, a
  // partner's are shown when it or one of its cells is chosen.
  Array.prototype.forEach.call(document.querySelectorAll("#details > section.partner"), function (s) { s.hidden = true; });

  partnerInput.addEventListener("input", filter);
  ruleSelect.addEventListener("change", filter);
  severitySelect.addEventListener("change", filter);
  sortSelect.addEventListener("change", sort);
  resetTabStop();
}());
