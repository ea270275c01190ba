// The SPARQL editor: YASGUI on this server's /sparql, one tab per example query (served as a
// file, not inline, so that the pages' Content-Security-Policy can forbid inline scripts).
// Results show plain values ("9", not "9"^^xsd:integer; YASR's "Simple view", which a reader
// can switch off) and whole cells rather than ellipsed ones.
(function () {
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var endpoint = new URL("/sparql", window.location.href).href;
  var plain = function () { return { compact: true, isEllipsed: false }; };
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    copyEndpointOnNewTab: true, persistenceId: null, autoAddOnInit: examples.length === 0,
    populateFromUrl: false
  });
  examples.forEach(function (q, i) {
    yasgui.addTab(i === 0, { name: q.title, yasqe: { value: q.text },
                             requestConfig: { endpoint: endpoint },
                             yasr: { settings: { selectedPlugin: "table",
                                                 pluginsConfig: { table: plain() } } } });
  });
  // a tab the reader opens (+) starts with the same table settings
  yasgui.on("query", function (instance, tab) {
    var table = tab.getYasr && tab.getYasr().config.plugins.table;
    if (table && !table.dynamicConfig) { table.dynamicConfig = plain(); }
  });
  window.rightsgraphEditor = yasgui;
})();
