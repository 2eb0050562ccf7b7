// The meeting day, progressive enhancement only (every form works without it):
// the chair's timer of the current slot, the minutes kept as a draft while typing, and a question
// before publishing the minutes.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function slotTimer() {
    // The server rendered the time used; this keeps it running from the slot's planned start.
    var timer = document.querySelector("[data-slot-timer]");
    if (!timer) return;
    var start = Date.parse(timer.getAttribute("data-starts-at"));
    var length = parseInt(timer.getAttribute("data-length-seconds"), 10);
    var over = document.querySelector("[data-slot-over]");
    var box = timer.closest(".now");
    function tick() {
      var used = Math.max(0, Math.floor((Date.now() - start) / 1000));
      timer.textContent = pad(Math.floor(used / 60)) + ":" + pad(used % 60);
      var isOver = used > length;
      if (over) over.hidden = !isOver;
      if (box) box.classList.toggle("now--over", isOver);
    }
    tick();
    window.setInterval(tick, 1000);
  }

  function autosave() {
    var form = document.querySelector("form[data-autosave]");
    if (!form) return;
    var url = form.getAttribute("data-autosave");
    var status = form.querySelector("[data-draft-status]");
    var timer = null;
    var last = new URLSearchParams(new FormData(form)).toString();
    function save() {
      timer = null;
      var body = new URLSearchParams(new FormData(form));
      if (body.toString() === last) return;
      var sent = body.toString();
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
      }).then(function (response) {
        return response.json().then(function (data) {
          if (response.ok) last = sent;
          if (status) status.textContent = data.message || data.detail || "";
        });
      }).catch(function () {
        if (status) status.textContent = status.getAttribute("data-offline") || "";
      });
    }
    function later() {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(save, 1500);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    window.addEventListener("pagehide", function () { if (timer) save(); });
  }

  function confirmFirst() {
    var forms = document.querySelectorAll("form[data-confirm]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    slotTimer();
    autosave();
    confirmFirst();
  });
})();
