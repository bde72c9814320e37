// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("keydown", function (e) {
  if (e.key === "/" && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName)) {
    var q = document.querySelector("input[name=q]");
    if (q) { e.preventDefault(); q.focus(); }
  }
});
document.querySelectorAll("details.action.open-on-error").forEach(function (d) { d.open = true; });
