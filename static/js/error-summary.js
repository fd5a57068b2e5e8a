// The error summary of a failed save (templates/_error_summary.html): moved into view and
// focused when the page loads, so the eye and a screen reader start there; each link moves
// focus to its field and shows the field's label above it (GOV.UK / DKFDS pattern).
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.focus();
  summary.scrollIntoView({ block: "start" });
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) { return; }
    event.preventDefault();
    var details = field.closest("details");
    if (details) { details.open = true; }
    var label = document.querySelector("label[for='" + field.id + "']") ||
      (field.closest("fieldset") && field.closest("fieldset").querySelector("legend"));
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
