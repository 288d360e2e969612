// The audit report's script; ledger/audit/report.py inlines it into report.html, whose
// Content-Security-Policy allows it by its SHA-256 and nothing else. Without it the page
// is whole: this only adds the trail's filter and opens every part before printing.
(function () {
  "use strict";

  // Print every part: open the closed <details> before printing, close them after.
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.slice.call(document.querySelectorAll("details:not([open])"));
    reopened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });

  var form = document.getElementById("trail-filter");
  if (!form) return;
  var events = Array.prototype.slice.call(document.querySelectorAll("#trail li.event"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("#trail details.group"));
  var initiallyOpen = groups.map(function (g) { return g.open; });
  var status = document.getElementById("trail-filter-status");
  var none = document.getElementById("trail-filter-none");
  var template = status.getAttribute("data-template");
  var fields = ["clause", "department", "event"];
  var rows = Array.prototype.slice.call(document.querySelectorAll("#trail-by-month tbody tr"));

  // The overview counts what the filter leaves, and drops the months it empties.
  function recount(active) {
    rows.forEach(function (row) {
      var total = 0;
      Array.prototype.forEach.call(row.querySelectorAll("td[data-group]"), function (td) {
        var group = document.getElementById(td.getAttribute("data-group"));
        var left = group.querySelectorAll("li.event:not([hidden])").length;
        td.firstElementChild.textContent = String(left);
        total += left;
      });
      row.querySelector("td.total").textContent = String(total);
      row.hidden = active && total === 0;
    });
  }

  function apply() {
    var wanted = {};
    fields.forEach(function (f) { wanted[f] = form.elements[f].value; });
    var text = form.elements.text.value.trim().toLowerCase();
    var active = Boolean(text) || fields.some(function (f) { return wanted[f] !== ""; });
    var shown = 0;
    events.forEach(function (li) {
      var ok = fields.every(function (f) {
        return wanted[f] === "" || li.getAttribute("data-" + f) === wanted[f];
      }) && (!text || li.textContent.toLowerCase().indexOf(text) >= 0 ||
        Array.prototype.some.call(li.querySelectorAll("[title]"), function (el) {
          return el.getAttribute("title").toLowerCase().indexOf(text) >= 0;
        }));
      li.hidden = !ok;
      if (ok) shown += 1;
    });
    // Innermost groups first, so a clause counts the months left visible in it.
    for (var i = groups.length - 1; i >= 0; i--) {
      var group = groups[i];
      var left = group.querySelectorAll("li.event:not([hidden])").length;
      group.hidden = left === 0;
      group.open = active ? left > 0 : initiallyOpen[i];
    }
    recount(active);
    status.textContent = active
      ? template.replace("{shown}", String(shown)).replace("{total}", String(events.length))
      : "";
    none.hidden = shown > 0;
  }

  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
})();
