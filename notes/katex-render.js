// katex-render.js: typesets the math of rendered pages at build time, so
// that a reader needs no script to see it.
//
//   node katex-render.js KATEX.min.js PAGE.html ...
//
// pandoc (--katex) writes each formula as <span class="math inline">TeX</span>
// or <span class="math display">TeX</span> and adds KaTeX's loader, which
// typesets them in the browser. Here every such span gets KaTeX's HTML and
// MathML instead, and the loader script is removed (the stylesheet and fonts
// stay). Each page is rewritten in place. A formula KaTeX cannot typeset is
// left as KaTeX's red error text and named in one warning line; the
// notes' --check fails on it.
"use strict";
const fs = require("fs");

const [katexPath, ...pages] = process.argv.slice(2);
if (!katexPath || pages.length === 0) {
  process.stderr.write("usage: node katex-render.js KATEX.min.js PAGE.html ...\n");
  process.exit(2);
}
const katex = require(katexPath);

const ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'" };
const unescape = (s) => s.replace(/&(lt|gt|amp|quot|#39);/g, (m) => ENTITIES[m]);

const MATH = /<span class="math (inline|display)">([^<]*)<\/span>/g;
// pandoc's loader: the script tag of katex.min.js and the inline script
// after it that calls katex.render.
const LOADER = /[ \t]*<script defer="" src="katex\/katex\.min\.js"><\/script>\s*<script>document\.addEventListener\("DOMContentLoaded", function \(\) \{[\s\S]*?<\/script>\n?/;

let errors = 0;
for (const page of pages) {
  const html = fs.readFileSync(page, "utf8");
  if (!html.includes('class="math ')) continue;
  let count = 0;
  const out = html.replace(MATH, (whole, kind, tex) => {
    const source = unescape(tex).trim();
    count++;
    try {
      const rendered = katex.renderToString(source, {
        displayMode: kind === "display", throwOnError: true, output: "htmlAndMathml",
      });
      return `<span class="math ${kind}">${rendered}</span>`;
    } catch (err) {
      errors++;
      const shown = source.length > 60 ? source.slice(0, 57) + "..." : source;
      process.stderr.write(`note: KaTeX error in ${page.replace(/^\.\//, "")}: it cannot typeset ` +
        `$${shown.replace(/\s+/g, " ")}$: ${String(err.message).split("\n")[0]}\n`);
      const fallback = katex.renderToString(source, {
        displayMode: kind === "display", throwOnError: false, output: "htmlAndMathml",
      });
      return `<span class="math ${kind}">${fallback}</span>`;
    }
  });
  const final = count ? out.replace(LOADER, "") : out;
  const tmp = page + ".tmp";
  fs.writeFileSync(tmp, final);
  fs.renameSync(tmp, page);
}
process.exit(0);
