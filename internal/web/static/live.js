// Live inbox: new and changed reports of the party's stream are put at
// the top of the list as they arrive. The rows are rendered and escaped
// by the server; this file only places them. Loaded only by the inbox's
// first, unfiltered page.
(function () {
  "use strict";
  function start() {
    var list = document.getElementById("live-rows");
    if (!list || !window.EventSource) { return; }
    var source = new EventSource(list.getAttribute("data-stream"));
    var place = function (ev) {
      var tpl = document.createElement("template");
      tpl.innerHTML = ev.data;
      var row = tpl.content.firstElementChild;
      if (!row) { return; }
      row.classList.add("live");
      list.insertBefore(row, list.firstChild);
      list.hidden = false;
    };
    ["report.created", "report.updated", "report.shared", "report.revoked"].forEach(function (t) {
      source.addEventListener(t, place);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
