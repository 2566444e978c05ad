/* Read the whole contract aloud on the worker's phone: Web Speech API, zh-CN, one sentence at a time with the
   sentence being spoken highlighted and scrolled into view; pause, continue and stop. Each sentence is a
   <span class="s"> of the reading view. Without speech synthesis the bar stays hidden and a hint says so. */
(function () {
  "use strict";

  function zhVoice(synth) {
    var voices = synth.getVoices ? synth.getVoices() : [];
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").replace("_", "-").toLowerCase().indexOf("zh-cn") === 0) { return voices[i]; }
    }
    return null;
  }

  function init() {
    var bar = document.getElementById("reader");
    var hint = document.getElementById("reader-unsupported");
    var synth = window.speechSynthesis;
    if (!bar || !synth || typeof window.SpeechSynthesisUtterance !== "function") { return; }
    var spans = Array.prototype.filter.call(
      document.querySelectorAll("#" + bar.dataset.reading + " .s"),
      function (span) { return span.textContent.trim() !== ""; }
    );
    var buttons = {
      start: bar.querySelector("[data-read-start]"), pause: bar.querySelector("[data-read-pause]"),
      resume: bar.querySelector("[data-read-resume]"), stop: bar.querySelector("[data-read-stop]")
    };
    var index = 0, run = 0, current = null;

    function mark(span) {
      if (current) { current.classList.remove("speaking"); }
      current = span;
      if (span) {
        span.classList.add("speaking");
        span.scrollIntoView({ block: "center" });
      }
    }
    function show(state) {
      buttons.start.hidden = state !== "idle";
      buttons.pause.hidden = state !== "speaking";
      buttons.resume.hidden = state !== "paused";
      buttons.stop.hidden = state === "idle";
      bar.dataset.state = state;
    }
    function unsupported() {
      synth.cancel();
      mark(null);
      bar.hidden = true;
      if (hint) { hint.hidden = false; }
    }
    function speakFrom(i, token) {
      if (token !== run) { return; }
      if (i >= spans.length) { mark(null); show("idle"); index = 0; return; }
      index = i;
      var utterance = new window.SpeechSynthesisUtterance(spans[i].textContent.trim());
      var voice = zhVoice(synth);
      utterance.lang = "zh-CN";
      utterance.rate = 0.9;
      if (voice) { utterance.voice = voice; }
      utterance.onstart = function () { if (token === run) { mark(spans[i]); } };
      utterance.onend = function () { speakFrom(i + 1, token); };
      utterance.onerror = function (event) {
        if (token !== run) { return; }
        if (event && (event.error === "synthesis-unavailable" || event.error === "language-unavailable" ||
                      event.error === "not-allowed")) { unsupported(); return; }
        speakFrom(i + 1, token);
      };
      mark(spans[i]);
      synth.speak(utterance);
    }

    buttons.start.addEventListener("click", function () {
      run += 1;
      synth.cancel();
      show("speaking");
      speakFrom(0, run);
    });
    buttons.pause.addEventListener("click", function () { synth.pause(); show("paused"); });
    buttons.resume.addEventListener("click", function () { synth.resume(); show("speaking"); });
    buttons.stop.addEventListener("click", function () {
      run += 1;
      synth.cancel();
      mark(null);
      show("idle");
    });
    // Tap a sentence while reading to continue from there.
    spans.forEach(function (span, i) {
      span.addEventListener("click", function () {
        if (bar.dataset.state !== "speaking") { return; }
        run += 1;
        synth.cancel();
        speakFrom(i, run);
      });
    });
    if (hint) { hint.hidden = true; }
    bar.hidden = false;
    show("idle");
  }

  document.addEventListener("DOMContentLoaded", init);
})();
