// Reports that a module page is being read: a light heartbeat while the page is visible and
// the reader has moved, scrolled or typed recently. The server decides what counts as active
// time; this only says "still here". Pages work without it.
(function () {
  var el = document.querySelector("[data-activity-url]");
  if (!el) return;
  var url = el.getAttribute("data-activity-url");
  var token = el.getAttribute("data-csrf");
  var lastInput = Date.now();
  ["mousemove", "keydown", "scroll", "touchstart"].forEach(function (ev) {
    window.addEventListener(ev, function () { lastInput = Date.now(); }, { passive: true });
  });
  setInterval(function () {
    if (document.visibilityState !== "visible") return;
    if (Date.now() - lastInput > 60000) return;
    var body = new URLSearchParams({ _csrf: token });
    fetch(url, { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
  }, 30000);
})();
