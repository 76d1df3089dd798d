// The predikat shown live from the two ratings (PermenPANRB 6/2022 matrix, embedded by the
// server as JSON: the server stays the only source of the rule).
(function () {
  "use strict";
  var data = document.getElementById("matriks-predikat");
  var out = document.getElementById("predikat-live");
  if (!data || !out) { return; }
  var matriks = JSON.parse(data.textContent);
  function pilihan(name) {
    var el = document.querySelector('input[name="' + name + '"]:checked');
    return el ? el.value : "";
  }
  function perbarui() {
    var hasil = pilihan("rating_hasil");
    var perilaku = pilihan("rating_perilaku");
    if (hasil && perilaku && matriks[hasil]) {
      out.textContent = matriks[hasil][perilaku] || "";
    }
  }
  document.querySelectorAll('input[name="rating_hasil"], input[name="rating_perilaku"]').forEach(function (el) {
    el.addEventListener("change", perbarui);
  });
  perbarui();
})();
