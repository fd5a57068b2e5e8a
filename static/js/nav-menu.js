// The header menu below the desktop breakpoint (and at 200 % zoom): a disclosure button
// (aria-expanded) that opens the main menu with notifications and "Log ud". Escape closes it
// and returns focus to the button. Without JavaScript the menu is simply shown open.
// Loaded in <head>: the class below is set before the page paints, so the menu starts folded.
(function () {
  "use strict";
  document.documentElement.classList.add("js-nav");
  function setUp() {
    var button = document.querySelector(".js-nav-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) { return; }
    function isOpen() { return button.getAttribute("aria-expanded") === "true"; }
    function setOpen(open, focusTarget) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
      if (focusTarget) { focusTarget.focus(); }
    }
    button.addEventListener("click", function () {
      var open = !isOpen();
      setOpen(open, open ? menu.querySelector("a[href], button") : null);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen()) {
        setOpen(false, button);
      }
    });
    // Back at desktop width the menu is always shown: fold it so a later narrow view starts closed.
    var desktop = window.matchMedia("(min-width: 992px)");
    var onChange = function (query) { if (query.matches && isOpen()) { setOpen(false); } };
    if (desktop.addEventListener) { desktop.addEventListener("change", onChange); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
