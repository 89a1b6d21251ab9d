// Upload progress for the case import form; without JS the form posts normally (and the server
// refuses an archive over the limit with 413 and the same message).
(function () {
  "use strict";
  var form = document.querySelector("[data-upload-form]");
  if (!form || !window.XMLHttpRequest) return;
  var errorBox = form.querySelector("[data-upload-error]");
  var input = form.querySelector("input[type=file]");
  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10);

  function megabytes(size) {
    return Math.round(size / (1024 * 1024)) + " MB";
  }

  function showError(text) {
    errorBox.querySelector("p").textContent = text;
    errorBox.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = input.files && input.files[0];
    if (file && maxBytes && file.size > maxBytes) {
      // Refused before a byte is sent: waiting for the whole upload to hear "too large" helps no one.
      showError(
        file.name + ": the archive is " + megabytes(file.size) + "; at most " +
          megabytes(maxBytes) + " can be uploaded at once. Split the cases into several archives."
      );
      input.focus();
      return;
    }
    errorBox.hidden = true;
    var box = form.querySelector("[data-upload-progress]");
    var bar = box.querySelector("progress");
    var percent = box.querySelector("[data-upload-percent]");
    var button = form.querySelector("button[type=submit]");
    box.hidden = false;
    button.disabled = true;
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable) return;
      var value = Math.round((progress.loaded / progress.total) * 100);
      bar.value = value;
      percent.textContent = value === 100 ? "100 %, processing the images…" : value + " %";
    });
    request.addEventListener("load", function () {
      // Success or refusal (400, 413), the server's page says what happened.
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () {
      box.hidden = true;
      showError("The upload failed; check the connection and try again.");
      button.disabled = false;
    });
    request.send(new FormData(form));
  });
})();
