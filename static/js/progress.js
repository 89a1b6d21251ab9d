// Console study page: the progress block refreshes itself every data-refresh-seconds (30) by
// fetching its fragment URL and swapping it in, without reloading the page. It is swapped only
// when a figure changed (the fragment's data-digest), so the polite live region speaks only
// then; the tables a reader opened stay open. Without JavaScript the "Refresh" link reloads
// the page. A failed fetch (a lost connection, a session that ended) is said in the status line
// and the figures shown stay until the next try.
(function () {
  "use strict";
  var block = document.getElementById("progress-block");
  var status = document.getElementById("progress-updated");
  if (!block || !window.fetch || !window.DOMParser) return;
  var url = block.getAttribute("data-refresh-url");
  var seconds = parseInt(block.getAttribute("data-refresh-seconds"), 10) || 30;

  function content(root) {
    return root.querySelector(".progress-content");
  }

  function clock() {
    return new Date().toISOString().slice(11, 19);
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function swap(html) {
    var fresh = content(new DOMParser().parseFromString(html, "text/html"));
    if (!fresh) throw new Error("the answer was not the progress figures (signed out?)");
    var current = content(block);
    if (current && current.getAttribute("data-digest") === fresh.getAttribute("data-digest")) {
      return false;
    }
    var opened = Array.prototype.map.call(block.querySelectorAll("details[open]"), function (d) {
      return d.id;
    });
    block.replaceChildren(document.importNode(fresh, true));
    opened.forEach(function (id) {
      var details = id && document.getElementById(id);
      if (details) details.open = true;
    });
    return true;
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("the server answered " + response.status);
        return response.text();
      })
      .then(function (html) {
        var changed = swap(html);
        say((changed ? "Figures updated at " : "No change at ") + clock() + " UTC; next refresh in " + seconds + " seconds.");
      })
      .catch(function (error) {
        say("Could not refresh at " + clock() + " UTC (" + error.message + "); the figures shown are older. Use Refresh to reload the page.");
      })
      .finally(function () {
        window.setTimeout(refresh, seconds * 1000);
      });
  }

  window.setTimeout(refresh, seconds * 1000);
})();
