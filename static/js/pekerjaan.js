// A background job's page: poll its status, move the bar, reload when it has ended (the server
// renders the result or the error). No framework; works after a reload because the job is in the DB.
(function () {
  var box = document.getElementById("pekerjaan");
  if (!box || box.dataset.selesai === "1") return;
  var url = box.dataset.statusUrl;
  function tick() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) { setTimeout(tick, 3000); return; }
        if (d.selesai) { window.location.reload(); return; }
        document.getElementById("pekerjaan-status").textContent = d.label;
        document.getElementById("pekerjaan-persen").textContent = d.persen + " %";
        document.getElementById("pekerjaan-bar").style.width = d.persen + "%";
        box.querySelector("[role=progressbar]").setAttribute("aria-valuenow", d.persen);
        document.getElementById("pekerjaan-langkah").textContent = d.langkah;
        setTimeout(tick, 1500);
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 1000);
})();
