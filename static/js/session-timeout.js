// The session-expiry warning (templates/_session_timeout.html): five minutes before the idle
// timeout the dialog appears and "Bliv logget ind" renews the session (keep-alive endpoint).
// Activity in any tab of the app (a page load, an autosaved draft) starts the clock again.
(function () {
  var box = document.getElementById("session-timeout");
  if (!box) { return; }
  var timeoutMs = parseInt(box.getAttribute("data-timeout"), 10) * 1000;
  var warnBeforeMs = parseInt(box.getAttribute("data-warn-before"), 10) * 1000;
  if (!timeoutMs) { return; }
  var form = box.querySelector("[data-session-keepalive]");
  var warning = box.querySelector("[data-session-warning]");
  var expired = box.querySelector("[data-session-expired]");
  var KEY = "klyngeadmin-last-activity";
  var warnTimer = null;
  var endTimer = null;
  var lastFocus = null;

  function hide() { box.hidden = true; if (lastFocus && lastFocus.focus) { lastFocus.focus(); } }
  function showWarning() {
    lastFocus = document.activeElement;
    warning.hidden = false; expired.hidden = true; form.hidden = false;
    box.hidden = false;
    box.querySelector("[data-session-stay]").focus();
  }
  function showExpired() {
    warning.hidden = true; expired.hidden = false; form.hidden = true;
    box.hidden = false;
    box.focus();
  }
  function restart(fromOtherTab) {
    if (warnTimer) { clearTimeout(warnTimer); }
    if (endTimer) { clearTimeout(endTimer); }
    if (!box.hidden && !expired.hidden) { return; }  // already signed out: stays said
    if (!box.hidden) { hide(); }
    warnTimer = setTimeout(showWarning, Math.max(0, timeoutMs - warnBeforeMs));
    endTimer = setTimeout(showExpired, timeoutMs);
    if (!fromOtherTab) {
      try { window.localStorage.setItem(KEY, String(Date.now())); } catch (e) { /* private mode */ }
    }
  }
  window.addEventListener("storage", function (event) { if (event.key === KEY) { restart(true); } });
  document.addEventListener("klynge:activity", function () { restart(false); });
  document.addEventListener("klynge:signed-out", showExpired);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
      .then(function (response) {
        if (response.ok) { restart(false); } else { showExpired(); }
      })
      .catch(function () { showExpired(); });
  });
  restart(false);
})();
