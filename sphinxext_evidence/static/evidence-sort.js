/* sphinxext-evidence: sortable columns for the evidence index (progressive enhancement).
 * Without JavaScript the table is a plain table in a fixed order.  No network access,
 * no dependencies.  A cell with a class "evidence-sort-<n>" sorts by the number n
 * (certainty level, effect), every other cell by its text. */
(function () {
  "use strict";
  function key(cell) {
    var m = /(?:^|\s)evidence-sort-(\d+)(?:\s|$)/.exec(cell.className || "");
    return m ? { num: parseInt(m[1], 10) } : { text: (cell.textContent || "").trim().toLowerCase() };
  }
  function compare(a, b) {
    if (a.num !== undefined && b.num !== undefined) return a.num - b.num;
    return String(a.text || a.num).localeCompare(String(b.text || b.num), undefined, { numeric: true });
  }
  function enhance(table) {
    var head = table.tHead, body = table.tBodies[0];
    if (!head || !body || !head.rows.length) return;
    /* the stylesheet shows the head as a row of sort buttons where the rows are stacked */
    table.className = (table.className ? table.className + " " : "") + "evidence-sortable";
    var ths = head.rows[0].cells;
    Array.prototype.forEach.call(ths, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "evidence-sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(ths, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
          return { row: row, key: key(row.cells[col]), i: i };
        });
        rows.sort(function (a, b) {
          var c = compare(a.key, b.key);
          return (ascending ? c : -c) || a.i - b.i;
        });
        rows.forEach(function (r) { body.appendChild(r.row); });
      });
    });
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.evidence-index-table"), enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
