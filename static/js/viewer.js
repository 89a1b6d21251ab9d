// Image viewer (zoom, pan, window presets) and its action counts for the trial form.
// The page works without it: the form posts and the image shows; this adds interaction.
// The answer's timing and the submit guard are trial.js's.
(function () {
  "use strict";
  var form = document.querySelector("[data-trial-form]");
  // Viewer actions by kind, posted with the answer (export columns viewer_<kind>): the hidden
  // fields hold the counts so far from the start, so an answer without any action sends 0s.
  var counts = { zoom: 0, pan: 0, window: 0, invert: 0, fullscreen: 0 };
  function write() {
    if (!form) return;
    var fields = {
      viewer_interactions: Object.keys(counts).reduce(function (sum, kind) { return sum + counts[kind]; }, 0)
    };
    Object.keys(counts).forEach(function (kind) { fields["viewer_" + kind] = counts[kind]; });
    Object.keys(fields).forEach(function (name) {
      var input = form.querySelector("[name=" + name + "]");
      if (input) input.value = fields[name];
    });
  }
  function count(kind) { counts[kind]++; write(); }
  write();

  function setupViewer(viewer) {
    var stage = viewer.querySelector(".viewer-stage");
    var canvas = viewer.querySelector("[data-canvas]");
    var img = viewer.querySelector("[data-image]");
    var full = viewer.getAttribute("data-display");
    var scale = 1, x = 0, y = 0, drag = null, upgraded = false;

    function apply() {
      canvas.style.transform = "translate(" + x + "px," + y + "px) scale(" + scale + ")";
      stage.classList.toggle("zoomed", scale > 1);
    }
    function zoom(factor) {
      var next = Math.min(8, Math.max(1, scale * factor));
      if (next === scale) return; // clamped: nothing happened, nothing to count
      scale = next;
      if (scale === 1) { x = 0; y = 0; }
      // Beyond 1.5x the preview is too coarse: switch to the native-resolution rendering once.
      if (scale > 1.5 && full && !upgraded && !viewer.dataset.presetChosen) { img.src = full; upgraded = true; }
      count("zoom");
      apply();
    }
    viewer.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var kind = button.getAttribute("data-zoom");
        if (kind === "in") zoom(1.5);
        else if (kind === "out") zoom(1 / 1.5);
        else { scale = 1; x = 0; y = 0; count("zoom"); apply(); }
      });
    });
    viewer.querySelectorAll("[data-preset]").forEach(function (button) {
      button.addEventListener("click", function () {
        img.src = button.getAttribute("data-preset");
        viewer.dataset.presetChosen = "1";
        viewer.querySelectorAll("[data-preset]").forEach(function (b) { b.setAttribute("aria-pressed", b === button ? "true" : "false"); });
        count("window");
      });
    });
    stage.addEventListener("wheel", function (event) {
      // At fit size, scrolling down cannot zoom out further: leave it to the page.
      if (scale === 1 && event.deltaY > 0) return;
      event.preventDefault();
      zoom(event.deltaY < 0 ? 1.2 : 1 / 1.2);
    }, { passive: false });
    stage.addEventListener("pointerdown", function (event) {
      if (scale === 1) return;
      drag = { px: event.clientX, py: event.clientY, x: x, y: y };
      stage.setPointerCapture(event.pointerId);
    });
    stage.addEventListener("pointermove", function (event) {
      if (!drag) return;
      x = drag.x + (event.clientX - drag.px);
      y = drag.y + (event.clientY - drag.py);
      apply();
    });
    stage.addEventListener("pointerup", function () { if (drag) count("pan"); drag = null; });
    stage.addEventListener("keydown", function (event) {
      var step = 40, handled = true;
      if (event.key === "+" || event.key === "=") zoom(1.5);
      else if (event.key === "-") zoom(1 / 1.5);
      else if (event.key === "0") { if (scale !== 1) count("zoom"); scale = 1; x = 0; y = 0; }
      else if (scale > 1 && event.key === "ArrowLeft") x += step;
      else if (scale > 1 && event.key === "ArrowRight") x -= step;
      else if (scale > 1 && event.key === "ArrowUp") y += step;
      else if (scale > 1 && event.key === "ArrowDown") y -= step;
      else handled = false;
      if (handled && event.key.indexOf("Arrow") === 0) count("pan");
      if (handled) { event.preventDefault(); apply(); }
    });
  }

  document.querySelectorAll("[data-viewer]").forEach(setupViewer);
})();
