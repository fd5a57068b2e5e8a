// Polls an activity import's status and updates the progress bar; reloads when it has ended.
// Loaded from a file (no inline script), so a strict Content-Security-Policy allows it.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-import-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[role=status]");
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        bar.max = Math.max(s.total_rows, 1);
        bar.value = s.done_rows;
        bar.setAttribute("aria-valuemax", String(s.total_rows));
        bar.setAttribute("aria-valuenow", String(s.done_rows));
        bar.textContent = s.percent + " %";
        text.textContent = s.status_label + ": " + s.done_rows + " af " + s.total_rows + " rækker.";
        if (s.status === "queued" || s.status === "running") {
          window.setTimeout(poll, 1000);
        } else {
          window.location.assign(s.url);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
