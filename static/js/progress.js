/* Progress bars of batch work (issuing, sealing): poll the page's JSON every two seconds and move each bar; when
   a run finishes, reload once so the server shows the outcome (what was done, what could not be). Without
   JavaScript the page refreshes itself (a <noscript> refresh). No dependencies, no inline script (CSP). */
(function () {
  "use strict";

  var INTERVAL_MS = 2000;

  function update(box, runs) {
    var sections = box.querySelectorAll(".batch-run");
    var reload = runs.length !== sections.length;
    runs.forEach(function (run, index) {
      var section = sections[index];
      if (!section) { return; }
      var bar = section.querySelector(".batch-bar");
      var count = section.querySelector(".batch-count");
      bar.max = run.total;
      bar.value = run.settled;
      bar.textContent = run.percent + "%";
      count.textContent = count.dataset.template.replace("{settled}", run.settled).replace("{total}", run.total);
      if (run.finished && !section.querySelector(".batch-done")) { reload = true; }
    });
    return reload;
  }

  function poll(box) {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (runs) {
        if (update(box, runs)) { window.location.reload(); return; }
        var running = runs.some(function (run) { return !run.finished; });
        if (running) { window.setTimeout(function () { poll(box); }, INTERVAL_MS); }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, INTERVAL_MS * 3); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("batch-progress");
    if (!box) { return; }
    var open = Array.prototype.some.call(box.querySelectorAll(".batch-run"), function (section) {
      return !section.querySelector(".batch-done");
    });
    if (open) { poll(box); }
  });
})();
