// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function menuButton() {
    var button = document.querySelector("[data-menu-button]");
    var nav = document.getElementById("site-nav");
    if (!button || !nav) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("site-nav--open", open);
    });
  }

  function focusErrorSummary() {
    // The server marks the summary autofocus as well; this covers browsers that ignore it there.
    var summary = document.querySelector("[data-error-summary]");
    if (summary && document.activeElement !== summary) summary.focus();
  }

  function followOrganisation() {
    // A people picker beside an organisation picker offers only that organisation's people.
    // The server checks the pair too: this only spares a wrong choice.
    var pickers = document.querySelectorAll("select[data-follows]");
    Array.prototype.forEach.call(pickers, function (people) {
      var organisation = document.getElementById(people.getAttribute("data-follows"));
      if (!organisation) return;
      function apply() {
        var chosen = organisation.value;
        Array.prototype.forEach.call(people.options, function (option) {
          var belongs = !option.value || !chosen ||
            option.getAttribute("data-organisation") === chosen;
          option.hidden = !belongs;
          option.disabled = !belongs;
        });
        var selected = people.options[people.selectedIndex];
        if (selected && selected.disabled) people.value = "";
      }
      organisation.addEventListener("change", apply);
      apply();
    });
  }

  function labelTableCells() {
    // Phone width stacks table rows (mda.css); each cell then shows its column's name.
    var tables = document.querySelectorAll("table.utrecht-table:not(.utrecht-table--scroll)");
    Array.prototype.forEach.call(tables, function (table) {
      var headers = table.querySelectorAll("thead th");
      if (!headers.length) return;
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          var header = headers[column];
          if (header && !cell.hasAttribute("data-label") && cell.colSpan === 1) {
            var text = header.textContent.trim();
            if (text) cell.setAttribute("data-label", text);
          }
          column += cell.colSpan || 1;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    menuButton();
    labelTableCells();
    focusErrorSummary();
    followOrganisation();
  });
})();
