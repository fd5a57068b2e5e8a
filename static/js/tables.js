// Wide tables scroll inside their own container, never the page: every table in <main> not
// already in a scroll container is wrapped in one (a focusable region, so keyboard users can
// scroll it), and a visible cue appears while the table is wider than its container.
(function () {
  "use strict";
  var main = document.querySelector("main");
  if (!main) { return; }
  var cueText = main.getAttribute("data-table-cue") || "";
  document.querySelectorAll("main table").forEach(function (table) {
    var box = table.closest(".table-scroll, .table-wrap");
    if (!box) {
      box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    if (!box.hasAttribute("role")) {
      box.setAttribute("role", "region");
      box.setAttribute("tabindex", "0");
      var caption = table.querySelector("caption");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : cueText);
    }
    var cue = document.createElement("p");
    cue.className = "table-scroll-cue";
    cue.textContent = cueText;
    cue.hidden = true;
    box.parentNode.insertBefore(cue, box);
    function update() {
      var wide = box.scrollWidth > box.clientWidth + 1;
      cue.hidden = !wide;
      box.classList.toggle("is-scrollable", wide);
    }
    update();
    window.addEventListener("resize", update);
  });
})();
