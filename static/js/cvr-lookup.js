// Shows what the CVR register says about every CVR number typed in a form's participant field
// (one per line: CVR;name;employees), before saving. A progressive enhancement over the JSON
// endpoint /virksomheder/opslag/; without script the form works as before. No inline script.
(function () {
  "use strict";
  var WEIGHTS = [2, 7, 6, 5, 4, 3, 2, 1];
  function valid(cvr) {
    if (!/^[1-9][0-9]{7}$/.test(cvr)) { return false; }
    var sum = 0;
    for (var i = 0; i < 8; i++) { sum += WEIGHTS[i] * Number(cvr[i]); }
    return sum % 11 === 0;
  }
  function cvrsIn(text) {
    var out = [];
    text.split(/\r?\n/).forEach(function (line) {
      var first = line.split(";")[0].replace(/^\s*DK/i, "").replace(/[\s.-]/g, "");
      if (valid(first) && out.indexOf(first) < 0) { out.push(first); }
    });
    return out;
  }
  document.querySelectorAll("[data-cvr-lookup-url]").forEach(function (box) {
    var field = document.getElementById(box.getAttribute("data-cvr-for"));
    var list = box.querySelector(".cvr-lookup-results");
    if (!field || !list) { return; }
    var url = box.getAttribute("data-cvr-lookup-url");
    var cache = {};
    var timer = null;
    function line(answer) {
      var li = document.createElement("li");
      var strong = document.createElement("strong");
      strong.textContent = answer.cvr;
      li.appendChild(strong);
      var text = ": ";
      if (answer.found) {
        text += answer.name;
        var parts = [];
        if (answer.industry) { parts.push(box.getAttribute("data-label-industry") + " " + answer.industry); }
        if (answer.municipality) { parts.push(box.getAttribute("data-label-municipality") + " " + answer.municipality); }
        if (parts.length) { text += " (" + parts.join(", ") + ")"; }
        if (answer.message) { text += " – " + answer.message; }
      } else {
        text += answer.message || "";
      }
      li.appendChild(document.createTextNode(text));
      return li;
    }
    function render(cvrs) {
      list.textContent = "";
      cvrs.forEach(function (cvr) { if (cache[cvr]) { list.appendChild(line(cache[cvr])); } });
      box.hidden = list.children.length === 0;
    }
    function update() {
      var cvrs = cvrsIn(field.value).slice(0, 20);
      var pending = cvrs.filter(function (c) { return !cache[c]; });
      render(cvrs);
      pending.forEach(function (cvr) {
        fetch(url + "?cvr=" + encodeURIComponent(cvr),
              { headers: { "Accept": "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (answer) { cache[cvr] = answer; render(cvrsIn(field.value).slice(0, 20)); })
          .catch(function () {});
      });
    }
    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 300);
    });
    update();
  });
})();
