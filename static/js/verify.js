/* Re-check the evidence-log inclusion proofs in the browser (RFC 9162 §2.1.3.2), so a reader need not trust the
   server's own statement. Uses WebCrypto SHA-256, which browsers offer on HTTPS and on localhost. */
(function () {
  "use strict";

  function hex(bytes) {
    return Array.from(new Uint8Array(bytes), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }
  function fromHex(text) {
    var out = new Uint8Array(text.length / 2);
    for (var i = 0; i < out.length; i++) { out[i] = parseInt(text.substr(i * 2, 2), 16); }
    return out;
  }
  function concat(prefix, a, b) {
    var out = new Uint8Array(1 + a.length + (b ? b.length : 0));
    out[0] = prefix; out.set(a, 1); if (b) { out.set(b, 1 + a.length); }
    return out;
  }
  async function sha(data) { return new Uint8Array(await crypto.subtle.digest("SHA-256", data)); }

  async function verifyInclusion(leaf, index, size, proof, root) {
    if (index >= size) { return false; }
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < proof.length; i++) {
      var p = fromHex(proof[i]);
      if (sn === 0) { return false; }
      if ((fn & 1) === 1 || fn === sn) {
        r = await sha(concat(1, p, r));
        while ((fn & 1) === 0 && fn !== 0) { fn >>= 1; sn >>= 1; }
      } else {
        r = await sha(concat(1, r, p));
      }
      fn >>= 1; sn >>= 1;
    }
    return sn === 0 && hex(r) === root;
  }

  async function check(section) {
    var root = section.dataset.root, size = parseInt(section.dataset.size, 10);
    var items = section.querySelectorAll(".log-entry");
    for (var i = 0; i < items.length; i++) {
      var item = items[i], mark = item.querySelector(".proof-browser");
      var leaf = await sha(concat(0, new TextEncoder().encode(item.dataset.entry)));
      var ok = hex(leaf) === item.dataset.leaf &&
        await verifyInclusion(leaf, parseInt(item.dataset.index, 10), size, JSON.parse(item.dataset.proof), root);
      mark.textContent = ok ? mark.dataset.ok : mark.dataset.bad;
      mark.className = "proof-browser " + (ok ? "ok" : "bad");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("evidence");
    if (section && window.crypto && crypto.subtle) { check(section); }
  });
})();
