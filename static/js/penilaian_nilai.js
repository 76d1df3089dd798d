// The evaluation page (templates/penilaian/nilai.html): show the predikat of the chosen ratings
// before saving (the SPEC §5 matrix comes from the server via json_script) and refresh the OPD's
// curve with this rating included (GET penilaian:nilai_kurva ?predikat=…). No library, no CDN.
(function () {
  "use strict";
  var form = document.getElementById("form-nilai");
  var data = document.getElementById("matriks-predikat");
  var out = document.getElementById("predikat-live");
  var kurva = document.getElementById("kurva-wrap");
  if (!form || !data || !out) return;
  var matriks = JSON.parse(data.textContent);
  var terakhir = null;

  function pilihan(name) {
    var el = form.querySelector('input[name="' + name + '"]:checked');
    return el ? el.value : "";
  }

  function perbarui() {
    var hasil = pilihan("rating_hasil");
    var perilaku = pilihan("rating_perilaku");
    var p = hasil && perilaku && matriks[hasil] ? matriks[hasil][perilaku] : null;
    out.textContent = p ? p.label : out.dataset.kosong;
    if (!p || !kurva || p.value === terakhir) return;
    terakhir = p.value;
    var url = kurva.dataset.url + "?predikat=" + encodeURIComponent(p.value);
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { if (terakhir === p.value) kurva.innerHTML = html; })
      .catch(function () { /* the saved curve stays; saving still works */ });
  }

  form.addEventListener("change", function (e) {
    if (e.target.name === "rating_hasil" || e.target.name === "rating_perilaku") perbarui();
  });
  terakhir = (function () {
    var h = pilihan("rating_hasil"), q = pilihan("rating_perilaku");
    return h && q && matriks[h] ? matriks[h][q].value : null;
  })();
})();
