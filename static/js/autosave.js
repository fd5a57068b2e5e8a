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
    function save() {
      timer = null;
      if (!dirty || submitting) { return; }
      var sentWhileDirty = dirty;
      dirty = false;
      show(status && status.getAttribute("data-saving"));
      fetch(url, { method: "POST", body: fields(), credentials: "same-origin",
                   headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
        .then(function (response) {
          if (response.status === 401) {
            dirty = sentWhileDirty;
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
          show(status && status.getAttribute("data-failed"));
        });
    }
    function changed() {
      dirty = true;
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, DELAY_MS);
    }
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
        if (navigator.sendBeacon(url, fields())) { dirty = false; }
      }
    });
  });
})();
