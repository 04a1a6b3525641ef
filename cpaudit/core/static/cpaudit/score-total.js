// The expert's scoring page (experts/score_form.html): keeps the 合计 beside the submit button current
// while points are typed. The server prints the same total on every render, so without this file the
// page still shows it after each save or error; the CSP allows scripts from our own origin only.
(function () {
  "use strict";
  var output = document.getElementById("score-total");
  if (!output) { return; }
  var form = output.closest("form");
  var verdict = document.getElementById("score-verdict");
  var passMark = parseFloat(output.dataset.pass);

  function update() {
    var total = 0, filled = 0;
    form.querySelectorAll("input[name^='item_']").forEach(function (input) {
      var value = parseFloat(input.value);
      if (input.value.trim() !== "" && isFinite(value)) { total += value; filled += 1; }
    });
    // Tenths, as the form accepts them; avoids 0.1 + 0.2 showing as 0.30000000000000004.
    var shown = Math.round(total * 10) / 10;
    output.textContent = filled ? String(shown) : "—";
    if (verdict) {
      verdict.textContent = !filled ? "" : (shown >= passMark ? "，已达合格分数线" : "，未达合格分数线");
    }
  }

  form.addEventListener("input", update);
})();
