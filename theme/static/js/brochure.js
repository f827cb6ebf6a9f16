/* Brochures: optional keyboard and swipe paging. Everything works without it (links). */
(function () {
  var pages = Array.prototype.slice.call(document.querySelectorAll(".brochure-page"));
  if (!pages.length) return;
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  function current() {
    var y = window.scrollY + window.innerHeight / 3, at = 0;
    pages.forEach(function (p, i) { if (p.offsetTop <= y) at = i; });
    return at;
  }
  function go(step) {
    var target = pages[Math.min(pages.length - 1, Math.max(0, current() + step))];
    var heading = target.querySelector("h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
    target.scrollIntoView({ behavior: still ? "auto" : "smooth" });
  }
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || /input|textarea|select/i.test(e.target.tagName)) return;
    if (e.key === "ArrowRight" || e.key === "PageDown") { e.preventDefault(); go(1); }
    if (e.key === "ArrowLeft" || e.key === "PageUp") { e.preventDefault(); go(-1); }
  });
  var x0 = null;
  document.addEventListener("touchstart", function (e) { x0 = e.touches[0].clientX; }, { passive: true });
  document.addEventListener("touchend", function (e) {
    if (x0 === null) return;
    var dx = e.changedTouches[0].clientX - x0; x0 = null;
    if (Math.abs(dx) > 80) go(dx < 0 ? 1 : -1);
  }, { passive: true });
})();
