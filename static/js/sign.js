/* Drag-to-place seal on the signing page. No dependencies; works with touch and mouse through Pointer Events.
   While dragged, the seal already has the size it will have on the page and sits centred under the finger, so it
   lands exactly where the finger lifts. The position is sent as fractions of the page image, which the server
   converts to PDF points, so it does not matter how large the phone shows the page. */
(function () {
  "use strict";

  function sealAspect(seal) {
    return seal.naturalWidth ? seal.naturalHeight / seal.naturalWidth : parseFloat(seal.dataset.aspect || "1");
  }

  function status(key, page) {
    var line = document.getElementById("seal-status");
    if (line) { line.textContent = line.dataset[key].replace("%(page)s", page); }
  }

  function placeSeal(form, seal, page, fx, fy) {
    var fw = parseFloat(seal.dataset.fraction);
    var r = page.querySelector("img:not([data-seal])").getBoundingClientRect();
    var fh = fw * r.width * sealAspect(seal) / r.height;
    fx = Math.min(Math.max(fx, 0), 1 - fw);
    fy = Math.min(Math.max(fy, 0), 1 - fh);
    page.appendChild(seal);
    seal.classList.remove("dragging");
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
    status("placed", parseInt(page.dataset.page, 10) + 1);
  }

  function inside(r, x, y) { return x >= r.left && x <= r.right && y >= r.top && y <= r.bottom; }

  function pageUnder(form, x, y) {
    if (inside(form.getBoundingClientRect(), x, y)) { return null; }  // on the bar (a button), not the page behind it
    var pages = document.querySelectorAll(".pages > .page[data-page]");
    for (var i = 0; i < pages.length; i++) {
      if (inside(pages[i].getBoundingClientRect(), x, y)) { return pages[i]; }
    }
    return null;
  }

  function backToTray(form, seal, tray) {
    tray.appendChild(seal);
    seal.classList.remove("placed", "dragging");
    seal.removeAttribute("style");
    ["page", "fx", "fy", "fw", "fh"].forEach(function (name) { form.elements[name].value = ""; });
    form.querySelector("[data-submit]").disabled = true;
    status("outside", "");
  }

  function initDrag(form) {
    var seal = form.querySelector("[data-seal]");
    var tray = document.getElementById("seal-tray");
    var firstPage = document.querySelector(".pages > .page img");
    if (!seal || !tray || !firstPage) { return; }
    var dragging = null;

    function follow(event) {
      seal.style.left = (event.clientX - dragging.width / 2) + "px";
      seal.style.top = (event.clientY - dragging.height / 2) + "px";
    }
    seal.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      var width = parseFloat(seal.dataset.fraction) * firstPage.getBoundingClientRect().width;
      dragging = { width: width, height: width * sealAspect(seal) };
      document.body.appendChild(seal);  // out of the page or tray (before capturing: moving a node drops capture)
      seal.setPointerCapture(event.pointerId);
      seal.classList.remove("placed");
      seal.classList.add("dragging");
      seal.style.width = width + "px";
      follow(event);
    });
    seal.addEventListener("pointermove", function (event) {
      if (dragging) { follow(event); }
    });
    seal.addEventListener("pointerup", function (event) {
      if (!dragging) { return; }
      var size = dragging;
      dragging = null;
      var page = pageUnder(form, event.clientX, event.clientY);
      if (!page) { backToTray(form, seal, tray); return; }
      var r = page.querySelector("img:not([data-seal])").getBoundingClientRect();
      placeSeal(form, seal, page, (event.clientX - size.width / 2 - r.left) / r.width,
                (event.clientY - size.height / 2 - r.top) / r.height);
    });
    seal.addEventListener("pointercancel", function () {
      if (dragging) { dragging = null; backToTray(form, seal, tray); }
    });

    var button = form.querySelector("[data-default-position]");
    if (button) {
      button.addEventListener("click", function () {
        var page = document.querySelector('.pages > .page[data-page="' + button.dataset.page + '"]');
        placeSeal(form, seal, page, parseFloat(button.dataset.fx), parseFloat(button.dataset.fy));
        seal.scrollIntoView({ block: "center" });
      });
    }
    form.addEventListener("submit", function () {
      form.querySelector("[data-submit]").disabled = true;  // one submission only
    });
  }

  /* Page images other than the signing page load only when they come into view: on a slow phone the first view
     then costs the first page and the last one, not every page (the bottom sixth of the screen, under the
     signing bar, does not count as in view). Without IntersectionObserver they all load at once. */
  function loadPagesInView() {
    var waiting = Array.prototype.slice.call(document.querySelectorAll(".pages img[data-src]"));
    function load(img) { img.src = img.dataset.src; img.removeAttribute("data-src"); }
    if (!("IntersectionObserver" in window)) { waiting.forEach(load); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); load(entry.target); }
      });
    }, { rootMargin: "0px 0px -16% 0px" });
    waiting.forEach(function (img) { observer.observe(img); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    loadPagesInView();
    var form = document.querySelector("form[data-sign-form]");
    if (form) { initDrag(form); }
  });
})();
