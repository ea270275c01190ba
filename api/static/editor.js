// The SPARQL editor: YASGUI on this server's /sparql, one tab per example query (served as a
// file, not inline, so that the pages' Content-Security-Policy can forbid inline scripts).
(function () {
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var endpoint = new URL("/sparql", window.location.href).href;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    copyEndpointOnNewTab: true, persistenceId: null, autoAddOnInit: examples.length === 0,
    populateFromUrl: false
  });
  examples.forEach(function (q, i) {
    yasgui.addTab(i === 0, { name: q.title, yasqe: { value: q.text },
                             requestConfig: { endpoint: endpoint } });
  });
  window.rightsgraphEditor = yasgui;
})();
