// The preview follows its file: ask for the file's stamp every second, reload when it changed.
(function () {
  var live = document.getElementById("live");
  if (!live) { return; }
  var known = live.getAttribute("data-stamp");
  function check() {
    fetch(live.getAttribute("data-url"), {cache: "no-store", credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && body.stamp !== known) { window.location.reload(); return; }
        setTimeout(check, 1000);
      })
      .catch(function () { setTimeout(check, 3000); });
  }
  setTimeout(check, 1000);
})();
