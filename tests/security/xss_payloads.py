"""Stored-XSS payloads for the browser test: what hostile customers, senders and (careless
or compromised) staff accounts could type into any field we show.

`BEACON` stands for `http://127.0.0.1:<a port nobody listens on>/beacon`: a payload that
gets to run (or to load anything) makes the browser ask for it, which the test watches for.
`alert(…)` would open a dialog, which the test also watches for. Use `payloads(beacon)`.
"""

BEACON = "BEACON"

PAYLOADS: list[str] = [
    # --- script tags ---
    "<script>alert('xss-1')</script>",
    '<script src="BEACON/2.js"></script>',
    "<SCRIPT>fetch('BEACON/3')</SCRIPT>",
    "<scr<script>ipt>alert(4)</scr</script>ipt>",
    '"><script>alert(5)</script>',
    "'><script>alert(6)</script>",
    "</textarea><script>alert(7)</script>",
    "</title><script>alert(8)</script>",
    "<script>new Image().src='BEACON/9'</script>",
    # --- event handlers ---
    "<img src=x onerror=alert(10)>",
    '<img src="BEACON/11.png">',
    "<body onload=alert(12)>",
    '<div onmouseover="alert(13)">hover me</div>',
    "<input autofocus onfocus=alert(14)>",
    '<video><source onerror="alert(15)"></video>',
    "<audio src=x onerror=alert(16)>",
    "<marquee onstart=alert(17)>m</marquee>",
    "<details open ontoggle=alert(18)>",
    "<details open ontoggle=\"fetch('BEACON/19')\"><summary>s</summary></details>",
    # --- SVG and MathML ---
    "<svg onload=alert(20)>",
    "<svg><script>alert(21)</script></svg>",
    "<svg/onload=fetch('BEACON/22')>",
    "<svg><animate onbegin=alert(23) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(24)>",
    # --- javascript: and data: URLs ---
    "[click](javascript:alert(25))",
    '<a href="javascript:alert(26)">link 26</a>',
    "[x](JaVaScRiPt:alert(27))",
    "[x](javascript&#58;alert(28))",
    '<a href="jav&#x09;ascript:alert(29)">tab 29</a>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgzMCk8L3NjcmlwdD4=)",
    "![img](javascript:alert(31))",
    "![beacon](BEACON/32.png)",
    # --- htmx attributes ---
    '<div hx-get="BEACON/33" hx-trigger="load">33</div>',
    '<button hx-on:click="alert(34)">b34</button>',
    '<div hx-on::load="alert(35)">35</div>',
    '<img src=x hx-on:error="alert(36)">',
    '<div hx-get="/desk/" hx-trigger="load" hx-target="body" hx-swap="outerHTML">37</div>',
    '<form hx-post="BEACON/38" hx-trigger="load"></form>',
    '<div data-hx-get="BEACON/39" data-hx-trigger="load">39</div>',
    '<div hx-vals=\'js:{a:alert(40)}\' hx-get="/" hx-trigger="load">40</div>',
    # --- styles and CSS ---
    "<style>body{background:url('BEACON/41')}</style>",
    '<div style="background-image:url(BEACON/42)">42</div>',
    '<div style="width:expression(alert(43))">43</div>',
    '<link rel=stylesheet href="BEACON/44.css">',
    "<style>@import 'BEACON/45.css';</style>",
    # --- frames and objects ---
    '<iframe srcdoc="<script>alert(46)</script>"></iframe>',
    '<iframe src="javascript:alert(47)"></iframe>',
    '<object data="javascript:alert(48)"></object>',
    '<embed src="BEACON/49.swf">',
    '<iframe src="BEACON/50"></iframe>',
    '<object data="BEACON/51"></object>',
    # --- encoded variants ---
    "&lt;script&gt;alert(52)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(53)&#62;",
    "%3Cscript%3Ealert(54)%3C/script%3E",
    "\\u003cscript\\u003ealert(55)\\u003c/script\\u003e",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(56)>",
    "<IMG SRC=JaVaScRiPt:alert(57)>",
    "<img src=x onerror=\\u0061lert(58)>",
    # --- breaking out of attributes, templates and markup ---
    '" onmouseover="alert(59)" x="',
    "' onfocus='alert(60)' autofocus x='",
    "</span></li></ol><script>alert(61)</script>",
    '<!--<img src="--><img src=x onerror=alert(62)//">',
    '<base href="BEACON/">',
    '<meta http-equiv="refresh" content="0;url=BEACON/64">',
    '"};alert(65);//',
    '<noscript><p title="</noscript><img src=x onerror=alert(66)>">',
    "<template><img src=x onerror=alert(67)></template>",
    "{{ request.user.password }}{% debug %}${alert(68)}",
    "<plaintext><script>alert(69)</script>",
    '<a href="BEACON/70" ping="BEACON/70p" target="_blank">70</a>',
]


def payloads(beacon: str) -> list[str]:
    return [payload.replace(BEACON, beacon) for payload in PAYLOADS]


def pack(items: list[str], limit: int) -> list[str]:
    """Several payloads per string of at most `limit` characters (titles, identifiers)."""
    packed, current = [], ""
    for item in items:
        if len(item) > limit:
            continue
        candidate = f"{current} {item}" if current else item
        if len(candidate) > limit:
            packed.append(current)
            candidate = item
        current = candidate
    if current:
        packed.append(current)
    return packed
