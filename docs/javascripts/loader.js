/*
 * Loads the site's own KaTeX and mermaid only on pages that need them.
 *
 * Every page includes this small script. Heavy libraries (mermaid is several
 * MB) are fetched from the site's vendor/ folder the first time a page with
 * math or diagrams is shown, never from a CDN.
 *
 * Mermaid: Material for MkDocs renders `.mermaid` blocks itself and fetches
 * mermaid from a CDN unless `window.mermaid` is already defined. We define a
 * small stand-in that records Material's configuration and loads the real
 * library from the site on the first render; the real library then replaces
 * the stand-in as `window.mermaid`.
 */
(function () {
  "use strict";
  var base = new URL("../vendor/", document.currentScript.src);
  var pending = {};

  function once(key, make) {
    if (!pending[key]) pending[key] = make();
    return pending[key];
  }

  function script(path) {
    return once(path, function () {
      return new Promise(function (resolve, reject) {
        var el = document.createElement("script");
        el.src = new URL(path, base).href;
        el.onload = resolve;
        el.onerror = function () { reject(new Error("could not load " + el.src)); };
        document.head.appendChild(el);
      });
    });
  }

  function stylesheet(path) {
    return once(path, function () {
      var el = document.createElement("link");
      el.rel = "stylesheet";
      el.href = new URL(path, base).href;
      document.head.appendChild(el);
      return Promise.resolve();
    });
  }

  if (typeof window.mermaid === "undefined") {
    var config = null;
    window.mermaid = {
      initialize: function (options) { config = options; },
      render: function (id, text) {
        return script("mermaid/mermaid.min.js").then(function () {
          var real = window.mermaid;
          once("mermaid-init", function () { real.initialize(config || { startOnLoad: false }); return true; });
          return real.render(id, text);
        });
      }
    };
  }

  /* Arithmatex (generic mode) wraps TeX in \( \) or \[ \] inside .arithmatex. */
  function typeset(root) {
    var nodes = root.querySelectorAll(".arithmatex");
    if (!nodes.length) return;
    stylesheet("katex/katex.min.css");
    script("katex/katex.min.js").then(function () {
      nodes.forEach(function (node) {
        if (node.dataset.typeset) return;
        var tex = node.textContent.trim();
        var display = tex.startsWith("\\[");
        tex = tex.slice(2, -2);
        window.katex.render(tex, node, {
          displayMode: display,
          throwOnError: false,
          output: "htmlAndMathml",
          trust: false
        });
        node.dataset.typeset = "true";
      });
    });
  }

  if (window.document$) {
    window.document$.subscribe(function () { typeset(document.body); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { typeset(document.body); });
  }
})();
