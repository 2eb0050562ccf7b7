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

  document.addEventListener("DOMContentLoaded", function () {
    menuButton();
    focusErrorSummary();
  });
})();
