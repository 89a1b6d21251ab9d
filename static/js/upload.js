// Upload progress for the case import form; without JS the form posts normally.
(function () {
  "use strict";
  var form = document.querySelector("[data-upload-form]");
  if (!form || !window.XMLHttpRequest) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
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
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () {
      percent.textContent = "The upload failed; check the connection and try again.";
      button.disabled = false;
    });
    request.send(new FormData(form));
  });
})();
