// A copy button for a read-only field (the new API key): shown only with JavaScript; without it
// the field is selected by hand. The result is announced in the status line beside it.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.closest(".form-group").querySelector(".copy-status");
    if (!field) { return; }
    button.hidden = false;
    field.addEventListener("focus", function () { field.select(); });
    button.addEventListener("click", function () {
      field.select();
      var done = function () { if (status) { status.textContent = button.getAttribute("data-copied-text"); } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          if (document.execCommand("copy")) { done(); }
        });
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });
})();
