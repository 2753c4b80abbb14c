// Known XSS payloads, each with a name: script tags, event handlers, `javascript:` and `data:`
// URLs, SVG and MathML, CSS, Markdown link and image tricks, HTML entities, mixed case and
// mutation tricks. The sanitizer's unit test renders each one; the browser test sends each
// through every text and Markdown field. Their script calls `alert(1)`.

const B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="; // <script>alert(1)</script>
const B64_SVG = "PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"; // <svg onload=alert(1)>

export const PAYLOADS: [name: string, payload: string][] = [
  // <script>, in many casings and splits
  ["script tag", `<script>alert(1)</script>`],
  ["SCRIPT uppercase", `<SCRIPT>alert(1)</SCRIPT>`],
  ["ScRiPt mixed case", `<ScRiPt>alert(1)</sCrIpT>`],
  ["script with external src", `<script src="https://evil.example/x.js"></script>`],
  ["script split by nested script", `<scr<script>ipt>alert(1)</scr</script>ipt>`],
  ["double-bracket script", `<<script>script>alert(1)<</script>/script>`],
  ["script with newline before >", `<script\n>alert(1)</script\n>`],
  ["script with slash attribute", `<script/xss src="https://evil.example/x.js"></script>`],
  ["unclosed script", `<script>alert(1)`],
  ["script with NUL in name", `<scr\u0000ipt>alert(1)</scr\u0000ipt>`],
  ["script after closing a paragraph", `text</p><script>alert(1)</script><p>more`],
  ["script inside a markdown list item", `- item <script>alert(1)</script>`],

  // images and event handlers
  ["img onerror", `<img src=x onerror=alert(1)>`],
  ["IMG ONERROR uppercase", `<IMG SRC=x ONERROR=alert(1)>`],
  ["img unclosed tag", `<img src=x onerror=alert(1)//`],
  ["img quoted self-closing onerror", `<img src="x" onerror="alert(1)" />`],
  ["img slashes as separators", `<img/src=x/onerror=alert(1)>`],
  ["img javascript: src", `<img src="javascript:alert(1)">`],
  ["img eval(src) trick", `<img src=x:alert(alt) onerror=eval(src) alt=0>`],
  ["img entity-encoded handler body", `<img src=x onerror="&#97;lert(1)">`],
  ["img srcset javascript:", `<img src="https://ok.example/a.png" srcset="javascript:alert(1) 1x">`],
  ["img dynsrc/lowsrc", `<img dynsrc="javascript:alert(1)" lowsrc="javascript:alert(1)">`],
  ["backtick attribute breakout", "<img src=\"x` `<script>alert(1)</script>\"` `>"],
  ["backtick-quoted handler", "<img src=`x` onerror=`alert(1)`>"],
  ["empty-quote attribute breakout", `<img """><script>alert(1)</script>">`],
  ["title quote breakout", `<a href="x" title='"><script>alert(1)</script>'>t</a>`],
  ["ol start attribute breakout", `<ol start="1 onclick=alert(1)"><li>x</li></ol>`],
  ["th align entity-quote breakout", `<table><tr><th align="left&quot; onclick=&quot;alert(1)">x</th></tr></table>`],

  // svg and math
  ["svg onload", `<svg onload=alert(1)>`],
  ["svg/onload with slash", `<svg/onload=alert(1)>`],
  ["svg with script", `<svg><script>alert(1)</script></svg>`],
  ["svg xlink:href javascript:", `<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>`],
  ["svg animate onbegin", `<svg><animate onbegin=alert(1) attributeName=x dur=1s>`],
  ["svg use data: href", `<svg><use href="data:image/svg+xml;base64,${B64_SVG}#x"/></svg>`],
  ["math href javascript:", `<math href="javascript:alert(1)">click</math>`],
  ["math maction xlink:href", `<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>`],
  ["a with xlink:href", `<a href="https://ok.example" xlink:href="javascript:alert(1)">x</a>`],

  // embedding and forms
  ["iframe javascript: src", `<iframe src="javascript:alert(1)"></iframe>`],
  ["iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>`],
  ["srcdoc on an allowed tag", `<p srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">x</p>`],
  ["object data", `<object data="javascript:alert(1)"></object>`],
  ["embed data: src", `<embed src="data:text/html;base64,${B64_SCRIPT}">`],
  ["form action javascript:", `<form action="javascript:alert(1)"><button>go</button></form>`],
  ["button formaction", `<form><button formaction="javascript:alert(1)">go</button></form>`],
  ["formaction on an allowed tag", `<a href="https://ok.example" formaction="javascript:alert(1)">x</a>`],
  ["input autofocus onfocus", `<input autofocus onfocus=alert(1)>`],

  // raw <a href>, all the ways to spell javascript:
  ["a javascript:", `<a href="javascript:alert(1)">x</a>`],
  ["a JaVaScRiPt: mixed case", `<a href="JaVaScRiPt:alert(1)">x</a>`],
  ["a &#106;avascript:", `<a href="&#106;avascript:alert(1)">x</a>`],
  ["a fully hex-encoded", `<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>`],
  ["a padded decimal entities without semicolons", `<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>`],
  ["a java&#x09;script:", `<a href="java&#x09;script:alert(1)">x</a>`],
  ["a java&#x0A;script:", `<a href="java&#x0A;script:alert(1)">x</a>`],
  ["a jav&Tab;ascript:", `<a href="jav&Tab;ascript:alert(1)">x</a>`],
  ["a javascript&colon;", `<a href="javascript&colon;alert(1)">x</a>`],
  ["a literal tab inside scheme", `<a href="java\tscript:alert(1)">x</a>`],
  ["a literal newline inside scheme", `<a href="java\nscript:alert(1)">x</a>`],
  ["a leading space and control chars", `<a href=" \u0001\u0008javascript:alert(1)">x</a>`],
  ["a comment inside scheme", `<a href="java<!-- -->script:alert(1)">x</a>`],
  ["a unquoted javascript:", `<a href=javascript:alert(1)>x</a>`],
  ["a single-quoted javascript:", `<a href='javascript:alert(1)'>x</a>`],
  ["a backtick-quoted javascript:", "<a href=`javascript:alert(1)`>x</a>"],
  ["a vbscript:", `<a href="vbscript:msgbox(1)">x</a>`],
  ["a data:text/html", `<a href="data:text/html;base64,${B64_SCRIPT}">x</a>`],
  ["a onclick on a safe link", `<a href="https://ok.example" onclick="alert(1)">x</a>`],
  ["a protocol-relative", `<a href="//evil.example">x</a>`],
  ["a backslash protocol-relative", `<a href="/\\evil.example">x</a>`],
  ["a tab-split protocol-relative", `<a href="/\t/evil.example">x</a>`],

  // markdown links and images
  ["md link javascript:", `[x](javascript:alert(1))`],
  ["md link JaVaScRiPt:", `[x](JaVaScRiPt:alert(1))`],
  ["md link angle-bracketed javascript:", `[x](<javascript:alert(1)>)`],
  ["md link entity-encoded colon", `[x](javascript&#58;alert(1))`],
  ["md link &#106;avascript:", `[x](&#106;avascript:alert(1))`],
  ["md link data:text/html", `[x](data:text/html;base64,${B64_SCRIPT})`],
  ["md link vbscript:", `[x](vbscript:msgbox(1))`],
  ["md link protocol-relative", `[x](//evil.example)`],
  ["md link title breakout", `[x](https://ok.example "\\" onmouseover=\\"alert(1)")`],
  ["md reference link javascript:", `[x][r]\n\n[r]: javascript:alert(1)`],
  ["md shortcut reference JAVASCRIPT: with title", `[r]\n\n[r]: JAVASCRIPT:alert(1) "t"`],
  ["md autolink javascript:", `<javascript:alert(1)>`],
  ["md image javascript:", `![x](javascript:alert(1))`],
  ["md image data:image/svg+xml", `![x](data:image/svg+xml,<svg onload=alert(1)>)`],
  ["md image data:image/svg+xml;base64", `![x](data:image/svg+xml;base64,${B64_SVG})`],
  ["md image mailto:", `![x](mailto:a@b.example)`],
  ["md image protocol-relative", `![x](//evil.example/a.png)`],
  ["md image title breakout", `![x](https://ok.example/a.png "\\" onerror=\\"alert(1)")`],
  ["md link followed by raw img", `[x](https://ok.example)<img src=x onerror=alert(1)>`],
  ["md code span does not hide raw html", "`code` <img src=x onerror=alert(1)> `more`"],

  // CSS
  ["style tag", `<style>body{background:url(javascript:alert(1))}</style>`],
  ["STYLE @import", `<STYLE>@import 'https://evil.example/x.css';</STYLE>`],
  ["style attribute url(javascript:)", `<p style="background:url(javascript:alert(1))">x</p>`],
  ["div style expression()", `<div style="width: expression(alert(1))">x</div>`],
  ["style on an allowed inline tag", `<strong style="position:fixed;inset:0">x</strong>`],
  ["link stylesheet", `<link rel=stylesheet href="https://evil.example/x.css">`],

  // page-level tags
  ["meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`],
  ["base href javascript:", `<base href="javascript:alert(1)//">`],
  ["base href elsewhere", `<base href="https://evil.example/">`],
  ["body onload", `<body onload=alert(1)>`],

  // mutation XSS: content that re-parses differently in raw-text or foreign contexts
  ["math/mglyph/style mXSS", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`],
  ["form/math namespace confusion", `<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>`],
  ["svg/style mXSS", `<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">`],
  ["noscript title breakout", `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`],
  ["xmp title breakout", `<xmp><p title="</xmp><img src=x onerror=alert(1)>">`],
  ["textarea title breakout", `<textarea><img title="</textarea><img src=x onerror=alert(1)>">`],
  ["title element breakout", `<title><img title="</title><img src=x onerror=alert(1)>">`],
  ["noembed breakout", `<noembed><img title="</noembed><img src=x onerror=alert(1)>">`],
  ["template content", `<template><img src=x onerror=alert(1)></template>`],

  // other event handlers
  ["details open ontoggle", `<details open ontoggle=alert(1)>`],
  ["video source onerror", `<video><source onerror=alert(1)></video>`],
  ["marquee onstart", `<marquee onstart=alert(1)>x</marquee>`],
  ["p onmouseover", `<p onmouseover="alert(1)">x</p>`],
  ["strong onclick on an allowed tag", `<strong onclick=alert(1)>x</strong>`],
  ["td onclick in an allowed table", `<table><tr><td onclick=alert(1)>x</td></tr></table>`],
  ["code with allowed class and a handler", `<code class="language-js" onclick=alert(1)>x</code>`],
  ["handler with odd whitespace before =", `<img src=x onerror\t=\nalert(1)>`],

  // comments hiding markup
  ["comment then script", `<!-- --><script>alert(1)</script>`],
  ["comment inside attribute", `<!--<img src="--><img src=x onerror=alert(1)//">`],
  ["script split across comments", `<!-- <script> -->alert(1)<!-- </script> -->`],
  ["IE conditional comment", `<!--[if gte IE 4]><script>alert(1)</script><![endif]-->`],
  ["CDATA section", `<![CDATA[<script>alert(1)</script>]]>`],
  ["unterminated comment", `<!-- <img src=x onerror=alert(1)>`],
];
