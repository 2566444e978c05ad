/* The contract issue form shows only the fields of the chosen term type: the end date for a fixed term, the task
   for a task-based one, neither for an open-ended contract. Hidden fields are disabled so they are not sent.
   Progressive enhancement: without this script every field stays visible and the server ignores the others. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-term-fields]");
  if (!form) { return; }
  var select = form.querySelector("select[name=term_type]");
  if (!select) { return; }

  function update() {
    form.querySelectorAll("[data-shows-for]").forEach(function (wrapper) {
      var show = wrapper.getAttribute("data-shows-for").split(" ").indexOf(select.value) !== -1;
      wrapper.hidden = !show;
      wrapper.style.display = show ? "" : "none";
      wrapper.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !show; });
    });
  }

  select.addEventListener("change", update);
  update();
})();
