// Reading-room viewer of the trial page and its action counts for the trial form. The page works
// without it: the form posts and the image shows. The answer's timing and the submit guard are
// trial.js's.
//
// Geometry: the image layer is the image at its native size, placed by one transform
// translate(tx, ty) scale(scale) from the stage's top left, so a stage point is t + scale * p
// for an image point p (CSS pixels). "Fit" shows the whole image, centred; "1:1" is one image
// pixel per device pixel (scale = 1 / devicePixelRatio), the size a radiologist means by
// actual size. Pan is bounded: a side larger than the stage never shows a gap beyond the image
// edge, a smaller one is centred.
//
// Window/level: with a source (the case's values packed 16-bit into an RGB PNG, see
// study/core/imaging/source.py) the canvas shows packed values through a 65536-entry table
// built from the window exactly as the server renders (rendering.apply_window, then one
// inversion for MONOCHROME1, then rounding half to even); without one, the presets swap the
// pre-rendered images. Dragging in window mode (the Window button or W, a right-drag or a
// Shift+drag): right widens the window, left narrows it, down raises the level (darker), up
// lowers it (brighter).
(function () {
  "use strict";
  var form = document.querySelector("[data-trial-form]");
  // Viewer actions by kind, posted with the answer (export columns viewer_<kind>): the hidden
  // fields hold the counts so far from the start, so an answer without any action sends 0s.
  // One count per completed gesture (a drag, a pinch, a burst of wheel turns), key or click.
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

  var ZOOM_STEP = 1.25;
  var MAX_ZOOM = 8; // times the larger of fit and 1:1
  var WHEEL_GESTURE_MS = 300; // wheel events closer than this are one zoom gesture
  var PAN_STEP = 40; // CSS pixels per arrow key
  var WINDOW_PER_PIXEL = 1 / 1024; // of the value range, per CSS pixel dragged
  var WINDOW_PER_KEY = 1 / 64; // of the value range, per Shift+arrow

  // numpy's rint: halves to even, as the server's renderer rounds grey levels.
  function rint(x) {
    var r = Math.round(x);
    return (r - x === 0.5 && r % 2 !== 0) ? r - 1 : r;
  }
  function windowUnit(v, c, w, fn) { // PS3.3 C.11.2.1.2, as rendering.apply_window
    if (fn === "SIGMOID") return 0.5 * (1 + Math.tanh(2 * (v - c) / w));
    var u = fn === "LINEAR_EXACT" ? (v - c) / w + 0.5
      : (w > 1 ? (v - (c - 0.5)) / (w - 1) + 0.5 : (v > c - 0.5 ? 1 : 0));
    return u < 0 ? 0 : (u > 1 ? 1 : u);
  }
  // The 65536-entry table from packed value to an opaque grey pixel (little-endian RGBA).
  function windowTable(mapping, win, inverted) {
    var table = new Uint32Array(65536);
    for (var p = 0; p < 65536; p++) {
      var unit = windowUnit(mapping.min + p * mapping.scale, win.center, win.width, win.function);
      var grey = rint((mapping.invert ? 1 - unit : unit) * 255);
      if (inverted) grey = 255 - grey;
      table[p] = (0xff000000 | (grey << 16) | (grey << 8) | grey) >>> 0;
    }
    return table;
  }
  // The packed values of the source PNG: red is the high byte, green the low, blue always 0.
  // No colour conversion is asked for and the PNG has no colour chunks, so these are its bytes.
  function loadSource(url, width, height) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("source " + response.status);
      return response.blob();
    }).then(function (blob) {
      return createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
    }).then(function (bitmap) {
      if (bitmap.width !== width || bitmap.height !== height) throw new Error("source size");
      var scratch = document.createElement("canvas");
      scratch.width = width; scratch.height = height;
      var context = scratch.getContext("2d", { willReadFrequently: true });
      context.drawImage(bitmap, 0, 0);
      var bytes = context.getImageData(0, 0, width, height).data;
      var packed = new Uint16Array(width * height);
      for (var i = 0, j = 0; i < packed.length; i++, j += 4) {
        if (bytes[j + 2] !== 0) throw new Error("source altered by the browser");
        packed[i] = (bytes[j] << 8) | bytes[j + 1];
      }
      return packed;
    });
  }

  function setupViewer(root) {
    var stage = root.querySelector(".viewer-stage");
    var layer = root.querySelector("[data-canvas]");
    var img = root.querySelector("[data-image]");
    var canvas = root.querySelector("[data-source-canvas]");
    var status = root.querySelector("[data-status]");
    var windowButton = root.querySelector("[data-window-mode]");
    var fullButton = root.querySelector("[data-fullscreen]");
    var presetButtons = Array.prototype.slice.call(root.querySelectorAll("[data-preset]"));
    var width = +root.getAttribute("data-width") || 0, height = +root.getAttribute("data-height") || 0;
    var mapping = null;
    try { mapping = JSON.parse(root.getAttribute("data-source-window") || "null"); } catch (e) { mapping = null; }
    var view = { scale: 1, tx: 0, ty: 0, fitted: true };
    var win = mapping ? defaultWindow() : null;
    var inverted = false, windowMode = false, preset = presetButtons.length ? presetButtons[0].getAttribute("data-preset-name") : null;
    var source = null, frame = null, paintPending = false, upgraded = false;

    function defaultWindow() { return { center: mapping.center, width: mapping.width, function: mapping.function }; }
    function range() { return Math.max(mapping.max - mapping.min, 1); }
    function dpr() { return window.devicePixelRatio || 1; }
    function stageSize() { // fractional, as the layout made it (clientWidth rounds)
      var box = stage.getBoundingClientRect();
      return { w: box.width - 2 * stage.clientLeft, h: box.height - 2 * stage.clientTop };
    }
    function fitScale() { var s = stageSize(); return Math.min(s.w / width, s.h / height); }
    function minScale() { return Math.min(fitScale(), 1 / dpr()); }
    function maxScale() { return Math.max(fitScale(), 1 / dpr()) * MAX_ZOOM; }

    // Keep the image over the stage: centred on a side that fits, edge-to-edge otherwise.
    function bound() {
      var s = stageSize(), w = width * view.scale, h = height * view.scale;
      view.tx = w <= s.w ? (s.w - w) / 2 : Math.min(0, Math.max(s.w - w, view.tx));
      view.ty = h <= s.h ? (s.h - h) / 2 : Math.min(0, Math.max(s.h - h, view.ty));
    }
    function render() {
      bound();
      // The layer's corner on a whole device pixel of the page (the stage's own offset may be
      // fractional): at 1:1 every image pixel is then exactly one screen pixel.
      var r = dpr(), box = stage.getBoundingClientRect(), s = stageSize();
      var ox = box.left + stage.clientLeft, oy = box.top + stage.clientTop;
      var tx = Math.round((ox + view.tx) * r) / r - ox, ty = Math.round((oy + view.ty) * r) / r - oy;
      layer.style.transform = "translate(" + tx + "px," + ty + "px) scale(" + view.scale + ")";
      root.dataset.scale = view.scale; root.dataset.tx = tx; root.dataset.ty = ty;
      root.dataset.fitScale = fitScale();
      stage.classList.toggle("can-pan", width * view.scale > s.w + 0.5 || height * view.scale > s.h + 0.5);
      // Past 1.5x fit the preview is too coarse: the native-resolution rendering, once.
      var full = root.getAttribute("data-display");
      if (!source && !upgraded && full && preset === firstPreset() && view.scale > 1.5 * fitScale()) {
        img.src = full; upgraded = true;
      }
    }
    function firstPreset() { return presetButtons.length ? presetButtons[0].getAttribute("data-preset-name") : null; }
    function say() {
      var text = Math.round(view.scale * dpr() * 100) + " %";
      if (source) text += " · W " + Math.round(win.width) + " · L " + Math.round(win.center);
      status.textContent = text;
    }

    function fit() { view.scale = fitScale(); view.fitted = true; render(); }
    // Zoom to `next`, keeping the image point under stage point (px, py) where it is.
    function zoomTo(next, px, py) {
      next = Math.min(maxScale(), Math.max(minScale(), next));
      if (Math.abs(next - view.scale) < 1e-9) return false;
      view.tx = px - (px - view.tx) * (next / view.scale);
      view.ty = py - (py - view.ty) * (next / view.scale);
      view.scale = next;
      view.fitted = Math.abs(next - fitScale()) < 1e-9;
      render();
      return true;
    }
    function zoomCentreTo(next) { var s = stageSize(); return zoomTo(next, s.w / 2, s.h / 2); }
    function zoomCentre(factor) { return zoomCentreTo(view.scale * factor); }
    function zoomAction(done) { if (done) { count("zoom"); say(); } }
    function panBy(dx, dy) {
      var before = view.tx + "," + view.ty;
      view.tx += dx; view.ty += dy; render();
      return view.tx + "," + view.ty !== before;
    }

    function publishWindow() {
      root.dataset.inverted = inverted ? "true" : "false";
      if (win) { root.dataset.center = win.center; root.dataset.width = win.width; root.dataset.function = win.function; }
      presetButtons.forEach(function (b) { b.setAttribute("aria-pressed", b.getAttribute("data-preset-name") === preset ? "true" : "false"); });
      root.querySelector("[data-invert]").setAttribute("aria-pressed", inverted ? "true" : "false");
      layer.classList.toggle("is-inverted", inverted && !source);
    }
    function paint() {
      if (paintPending || !source) return;
      paintPending = true;
      window.requestAnimationFrame(function () {
        paintPending = false;
        var table = windowTable(mapping, win, inverted), out = new Uint32Array(frame.data.buffer);
        for (var i = 0; i < source.length; i++) out[i] = table[source[i]];
        canvas.getContext("2d").putImageData(frame, 0, 0);
        root.dataset.painted = win.center + "/" + win.width + "/" + inverted;
      });
    }
    function setWindow(center, widthValue) {
      var minimum = win.function === "LINEAR" ? 1 : Math.max(mapping.scale, 1e-6);
      var next = {
        center: Math.min(mapping.max + range(), Math.max(mapping.min - range(), center)),
        width: Math.min(4 * range() + mapping.width, Math.max(minimum, widthValue)),
        function: win.function
      };
      if (next.center === win.center && next.width === win.width) return false;
      win = next; preset = null; publishWindow(); paint();
      return true;
    }
    function choosePreset(button) {
      var name = button.getAttribute("data-preset-name");
      if (source && mapping.presets && mapping.presets[name]) {
        win = { center: mapping.presets[name].center, width: mapping.presets[name].width, function: mapping.presets[name].function };
        paint();
      } else {
        img.src = button.getAttribute("data-preset");
      }
      preset = name; publishWindow(); say(); count("window");
    }
    function invert() { inverted = !inverted; publishWindow(); paint(); count("invert"); }
    function reset() {
      var zoomed = !view.fitted, windowed = source && (win.center !== mapping.center || win.width !== mapping.width);
      var presetChanged = !source && preset !== firstPreset(), wasInverted = inverted;
      if (source) win = defaultWindow();
      if (presetChanged) img.src = presetButtons[0].getAttribute("data-preset");
      preset = firstPreset(); inverted = false; windowMode = false;
      setWindowMode(false); fit(); publishWindow(); paint(); say();
      if (zoomed) count("zoom");
      if (windowed || presetChanged) count("window");
      if (wasInverted) count("invert");
    }
    function setWindowMode(on) {
      if (!windowButton) return;
      windowMode = on && !!source;
      windowButton.setAttribute("aria-pressed", windowMode ? "true" : "false");
      stage.classList.toggle("window-mode", windowMode);
    }

    // Full screen on the viewer itself; Escape (the browser's) leaves it too.
    function toggleFullscreen() {
      if (document.fullscreenElement === root) document.exitFullscreen();
      else if (root.requestFullscreen) root.requestFullscreen().catch(function () {});
    }
    document.addEventListener("fullscreenchange", function () {
      var on = document.fullscreenElement === root;
      if (on) count("fullscreen");
      root.dataset.fullscreen = on ? "true" : "false";
      fullButton.setAttribute("aria-pressed", on ? "true" : "false");
      fullButton.textContent = root.getAttribute(on ? "data-label-fullscreen-leave" : "data-label-fullscreen");
    });
    if (!root.requestFullscreen) fullButton.hidden = true;

    root.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var kind = button.getAttribute("data-zoom");
        if (kind === "in") zoomAction(zoomCentre(ZOOM_STEP));
        else if (kind === "out") zoomAction(zoomCentre(1 / ZOOM_STEP));
        else if (kind === "fit") { var changed = !view.fitted; fit(); zoomAction(changed); }
        else zoomAction(zoomCentreTo(1 / dpr()));
      });
    });
    presetButtons.forEach(function (button) { button.addEventListener("click", function () { choosePreset(button); }); });
    if (windowButton) windowButton.addEventListener("click", function () { setWindowMode(!windowMode); });
    root.querySelector("[data-invert]").addEventListener("click", invert);
    root.querySelector("[data-reset]").addEventListener("click", reset);
    fullButton.addEventListener("click", toggleFullscreen);

    var wheelAt = 0;
    stage.addEventListener("wheel", function (event) {
      // At fit size, scrolling down cannot zoom out further: leave it to the page.
      if (view.fitted && event.deltaY > 0) return;
      event.preventDefault();
      var delta = event.deltaY * (event.deltaMode === 1 ? 40 : event.deltaMode === 2 ? 400 : 1);
      var box = stage.getBoundingClientRect();
      var changed = zoomTo(view.scale * Math.exp(-delta * 0.002), event.clientX - box.left, event.clientY - box.top);
      if (changed && event.timeStamp - wheelAt > WHEEL_GESTURE_MS) count("zoom");
      if (changed) { wheelAt = event.timeStamp; say(); }
    }, { passive: false });

    // Pointers (mouse, pen, touch): one drags (pan, or the window in window mode), two pinch.
    var pointers = {}, gesture = null;
    function local(event) { var box = stage.getBoundingClientRect(); return { x: event.clientX - box.left, y: event.clientY - box.top }; }
    function finish() {
      if (gesture && gesture.changed) { count(gesture.kind === "pinch" ? "zoom" : gesture.kind); say(); }
      gesture = null; stage.classList.remove("is-dragging");
    }
    stage.addEventListener("contextmenu", function (event) { event.preventDefault(); });
    stage.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "mouse" && event.button !== 0 && event.button !== 2) return;
      event.preventDefault();
      stage.focus({ preventScroll: true });
      try { stage.setPointerCapture(event.pointerId); } catch (e) { /* a pointer already gone */ }
      pointers[event.pointerId] = local(event);
      var ids = Object.keys(pointers);
      if (ids.length === 2) {
        finish();
        var a = pointers[ids[0]], b = pointers[ids[1]], mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
        gesture = { kind: "pinch", ids: ids, distance: Math.hypot(a.x - b.x, a.y - b.y) || 1, scale: view.scale,
          ix: (mid.x - view.tx) / view.scale, iy: (mid.y - view.ty) / view.scale, changed: false };
      } else if (ids.length === 1) {
        var start = pointers[event.pointerId];
        if (source && (windowMode || event.button === 2 || event.shiftKey)) {
          gesture = { kind: "window", id: event.pointerId, x: start.x, y: start.y, center: win.center, width: win.width, changed: false };
        } else if (stage.classList.contains("can-pan")) {
          gesture = { kind: "pan", id: event.pointerId, x: start.x, y: start.y, tx: view.tx, ty: view.ty, changed: false };
          stage.classList.add("is-dragging");
        }
      }
    });
    stage.addEventListener("pointermove", function (event) {
      if (!(event.pointerId in pointers)) return;
      var point = pointers[event.pointerId] = local(event);
      if (!gesture) return;
      if (gesture.kind === "pinch") {
        var a = pointers[gesture.ids[0]], b = pointers[gesture.ids[1]];
        if (!a || !b) return;
        var next = Math.min(maxScale(), Math.max(minScale(), gesture.scale * Math.hypot(a.x - b.x, a.y - b.y) / gesture.distance));
        // The image point first under the fingers' midpoint stays under it (zoom and pan at once).
        view.scale = next; view.fitted = Math.abs(next - fitScale()) < 1e-9;
        view.tx = (a.x + b.x) / 2 - gesture.ix * next; view.ty = (a.y + b.y) / 2 - gesture.iy * next;
        gesture.changed = gesture.changed || Math.abs(next - gesture.scale) > 1e-6;
        render();
      } else if (gesture.id === event.pointerId) {
        var dx = point.x - gesture.x, dy = point.y - gesture.y;
        if (gesture.kind === "pan") {
          view.tx = gesture.tx + dx; view.ty = gesture.ty + dy; view.fitted = false; render();
          gesture.changed = gesture.changed || dx !== 0 || dy !== 0;
        } else {
          var step = range() * WINDOW_PER_PIXEL;
          if (setWindow(gesture.center + dy * step, gesture.width + dx * step)) gesture.changed = true;
        }
      }
    });
    function release(event) {
      if (!(event.pointerId in pointers)) return;
      delete pointers[event.pointerId];
      if (gesture && (gesture.kind === "pinch" || gesture.id === event.pointerId)) finish();
    }
    stage.addEventListener("pointerup", release);
    stage.addEventListener("pointercancel", release);
    stage.addEventListener("lostpointercapture", release);

    root.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var key = event.key, arrows = { ArrowLeft: [1, 0], ArrowRight: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
      if (key in arrows && source && (event.shiftKey || windowMode)) {
        // Right widens, left narrows; down raises the level, up lowers it (as the drag does).
        var step = range() * WINDOW_PER_KEY, d = arrows[key];
        if (setWindow(win.center - d[1] * step, win.width - d[0] * step)) { count("window"); say(); }
      } else if (key in arrows) {
        if (panBy(arrows[key][0] * PAN_STEP, arrows[key][1] * PAN_STEP)) { view.fitted = false; count("pan"); }
      } else if (key === "+" || key === "=") zoomAction(zoomCentre(ZOOM_STEP));
      else if (key === "-" || key === "_") zoomAction(zoomCentre(1 / ZOOM_STEP));
      else if (key === "0") { var changed = !view.fitted; fit(); zoomAction(changed); }
      else if (key === "1") zoomAction(zoomCentreTo(1 / dpr()));
      else if (key === "i" || key === "I") invert();
      else if (key === "r" || key === "R") reset();
      else if (key === "f" || key === "F") toggleFullscreen();
      // The browser leaves full screen on Escape itself; where it passes the key on, so do we.
      else if (key === "Escape" && document.fullscreenElement === root) document.exitFullscreen();
      else if ((key === "w" || key === "W") && source) setWindowMode(!windowMode);
      else return;
      event.preventDefault();
    });

    // The stage's box is the page layout's (and the screen's, in full screen): follow it.
    new ResizeObserver(function () { if (view.fitted) fit(); else { view.scale = Math.min(maxScale(), Math.max(minScale(), view.scale)); render(); } }).observe(stage);

    function start() {
      root.classList.add("is-live");
      layer.style.width = width + "px"; layer.style.height = height + "px";
      fit(); publishWindow(); say();
      root.dataset.sourceState = mapping && root.getAttribute("data-source") ? "loading" : "none";
      if (root.dataset.sourceState === "none") return;
      loadSource(root.getAttribute("data-source"), width, height).then(function (packed) {
        source = packed;
        frame = canvas.getContext("2d").createImageData(width, height);
        // Over the image, which stays for its alt text. The Window button was focusable (and said
        // it was unavailable) all along, so the tab order does not change under the reader.
        canvas.hidden = false; windowButton.removeAttribute("aria-disabled");
        root.dataset.sourceState = "ready";
        publishWindow(); paint(); say();
      }).catch(function () { root.dataset.sourceState = "failed"; }); // the presets still work
    }
    function sized() { width = img.naturalWidth; height = img.naturalHeight; start(); }
    if (width && height) start();
    else if (img.complete && img.naturalWidth) sized();
    else img.addEventListener("load", sized, { once: true });
  }

  document.querySelectorAll("[data-viewer]").forEach(setupViewer);
})();
