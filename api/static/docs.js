// The researcher API's documentation: Swagger UI (vendored in swagger_ui/) on this server's
// OpenAPI schema, started from a file rather than inline so that /docs has the same
// Content-Security-Policy as the other pages (no inline scripts).
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]
  });
})();
