// Nothing typed is lost (klyngeadmin/drafts.py): a form marked data-autosave="<url>" posts its
// fields to the server as a draft 2 seconds after the last keystroke (and when the page is
// left), shows "Kladde gemt kl. 14.32" in its [data-autosave-status], and warns before the
// page is left with changes that are not saved anywhere yet. Without JavaScript the form
// works as before.
(function () {
  var DELAY_MS = 2000;
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var url = form.getAttribute("data-autosave");
    var status = form.querySelector("[data-autosave-status]");
    var dirty = false;      // changed since the last draft reached the server
    var submitting = false;
    var timer = null;
    var sent = null;        // the fields as last saved (on the page or in a draft)

    function show(text) { if (status) { status.textContent = text; } }
    function fields() {
      var data = new FormData(form);
      Array.from(data.keys()).forEach(function (key) {
        data.getAll(key).forEach(function (value) {
          if (typeof value !== "string") { data.delete(key); }  // files go with the form
        });
      });
      data.set("_draft_path", window.location.pathname);
      return data;
    }
    // The fields as one string, to tell a real change from an event that changed nothing (the
    // "change" a field fires when it loses focus after typing that is already in a draft).
    function snapshot() { return JSON.stringify(Array.from(fields().entries())); }
    function save() {
      timer = null;
      if (!dirty || submitting) { return; }
      var current = snapshot();
      if (current === sent) { dirty = false; return; }
      var sentWhileDirty = dirty;
      var previous = sent;
      dirty = false;
      sent = current;
      show(status && status.getAttribute("data-saving"));
      fetch(url, { method: "POST", body: fields(), credentials: "same-origin",
                   headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
        .then(function (response) {
          if (response.status === 401) {
            dirty = sentWhileDirty;
            sent = previous;
            show(status && status.getAttribute("data-signed-out"));
            document.dispatchEvent(new CustomEvent("klynge:signed-out"));
            return null;
          }
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (answer) {
          if (!answer) { return; }
          show(answer.status);
          form.setAttribute("data-autosaved-at", answer.saved_at);
          document.dispatchEvent(new CustomEvent("klynge:activity"));
        })
        .catch(function () {
          dirty = true;
          sent = previous;
          show(status && status.getAttribute("data-failed"));
        });
    }
    function changed() {
      if (snapshot() === sent) {  // as saved (or back to it): nothing to send
        dirty = false;
        if (timer) { clearTimeout(timer); timer = null; }
        return;
      }
      dirty = true;
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, DELAY_MS);
    }
    sent = snapshot();
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    // Fields associated by form="<id>" (the attachment upload beside the report) count too.
    if (form.id) {
      document.querySelectorAll("[form='" + form.id + "']").forEach(function (el) {
        el.addEventListener("change", changed);
      });
    }
    form.addEventListener("submit", function () {
      submitting = true;
      if (timer) { clearTimeout(timer); timer = null; }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";  // the browser shows its own "leave the page?" question
      }
    });
    window.addEventListener("pagehide", function () {
      if (dirty && !submitting && navigator.sendBeacon) {
        if (navigator.sendBeacon(url, fields())) { dirty = false; sent = snapshot(); }
      }
    });
  });
})();
