/* Drag-to-place seal and read-aloud for the signing pages. No dependencies; works with touch and mouse
   through Pointer Events. The chosen position is sent as fractions of the page image, which the server
   converts to PDF points, so it does not matter how large the phone shows the page. */
(function () {
  "use strict";

  function placeSeal(form, seal, page, fx, fy) {
    var fw = parseFloat(seal.dataset.fraction);
    var img = page.querySelector("img");
    var ratio = img.naturalHeight ? img.naturalWidth / img.naturalHeight : 210 / 297;
    var fh = fw * ratio * parseFloat(seal.dataset.aspect || "1");
    fx = Math.min(Math.max(fx, 0), 1 - fw);
    fy = Math.min(Math.max(fy, 0), 1 - fh);
    page.appendChild(seal);
    seal.classList.add("placed");
    seal.style.left = (fx * 100) + "%";
    seal.style.top = (fy * 100) + "%";
    seal.style.width = (fw * 100) + "%";
    form.elements.page.value = page.dataset.page;
    form.elements.fx.value = fx.toFixed(5);
    form.elements.fy.value = fy.toFixed(5);
    form.elements.fw.value = fw.toFixed(5);
    form.elements.fh.value = fh.toFixed(5);
    form.querySelector("[data-submit]").disabled = false;
    var status = document.getElementById("seal-status");
    if (status) { status.textContent = status.dataset.placed.replace("%(page)s", parseInt(page.dataset.page, 10) + 1); }
  }

  function pageUnder(x, y) {
    var pages = document.querySelectorAll("[data-page]");
    for (var i = 0; i < pages.length; i++) {
      var r = pages[i].getBoundingClientRect();
      if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) { return pages[i]; }
    }
    return null;
  }

  function initDrag(form) {
    var seal = form.querySelector("[data-seal]");
    var tray = document.getElementById("seal-tray");
    if (!seal) { return; }
    var dragging = null;

    seal.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      var rect = seal.getBoundingClientRect();
      dragging = { dx: event.clientX - rect.left, dy: event.clientY - rect.top, width: rect.width };
      seal.setPointerCapture(event.pointerId);
      seal.classList.add("dragging");
      seal.style.width = rect.width + "px";
      seal.style.left = rect.left + "px";
      seal.style.top = rect.top + "px";
    });
    seal.addEventListener("pointermove", function (event) {
      if (!dragging) { return; }
      seal.style.left = (event.clientX - dragging.dx) + "px";
      seal.style.top = (event.clientY - dragging.dy) + "px";
    });
    seal.addEventListener("pointerup", function (event) {
      if (!dragging) { return; }
      var left = event.clientX - dragging.dx, top = event.clientY - dragging.dy;
      seal.classList.remove("dragging");
      var page = pageUnder(event.clientX, event.clientY);
      dragging = null;
      if (!page) {
        tray.appendChild(seal);
        seal.classList.remove("placed");
        seal.removeAttribute("style");
        var status = document.getElementById("seal-status");
        if (status) { status.textContent = status.dataset.outside; }
        return;
      }
      var r = page.querySelector("img").getBoundingClientRect();
      placeSeal(form, seal, page, (left - r.left) / r.width, (top - r.top) / r.height);
    });

    var button = form.querySelector("[data-default-position]");
    if (button) {
      button.addEventListener("click", function () {
        var page = document.querySelector('[data-page="' + button.dataset.page + '"]');
        placeSeal(form, seal, page, parseFloat(button.dataset.fx), parseFloat(button.dataset.fy));
        page.scrollIntoView({ block: "center" });
      });
    }
    form.addEventListener("submit", function () {
      form.querySelector("[data-submit]").disabled = true;  // one submission only
    });
  }

  function initReadAloud() {
    var button = document.querySelector("[data-read-aloud]");
    if (!button) { return; }
    if (!("speechSynthesis" in window)) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      var text = document.getElementById(button.dataset.readAloud).innerText;
      window.speechSynthesis.cancel();
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = "zh-CN";
      utterance.rate = 0.9;
      window.speechSynthesis.speak(utterance);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-sign-form]");
    if (form) { initDrag(form); }
    initReadAloud();
  });
})();
