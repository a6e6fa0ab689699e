import { JSDOM } from 'jsdom';
import { describe, expect, test } from 'vitest';
import { renderMessage } from '../../src/features/markdown/render.js';
import { createSanitizer } from '../../src/features/markdown/sanitize.js';

/**
 * The sanitiser's configuration, checked in Node against a real DOM implementation (jsdom): DOMPurify runs on
 * jsdom's window exactly as it runs on the page's. Hostile HTML goes straight in, and hostile Markdown goes
 * through the whole pipeline the app uses (`renderMessage`); what comes out may hold only the tags and attributes
 * the renderer produces, and links only to http(s) and mailto addresses, opening in a new tab without an opener.
 */

const sanitize = createSanitizer(new JSDOM('').window);
const ANA = '0193a000-0000-7000-8000-000000000001';

const TAGS = new Set(['p', 'br', 'strong', 'em', 's', 'code', 'pre', 'a', 'ul', 'ol', 'li', 'blockquote', 'span']);
const ATTRIBUTES = new Set(['href', 'target', 'rel', 'start', 'class', 'data-user-id']);

/** The elements of an HTML fragment, parsed by jsdom as a browser would parse it when inserted. */
function elements(html: string): Element[] {
  const box = new JSDOM('').window.document.createElement('div');
  box.innerHTML = html;
  return [...box.querySelectorAll('*')];
}

/** Every way the output could still be dangerous, as a list of findings (empty when safe). */
function dangers(html: string): string[] {
  const found: string[] = [];
  for (const el of elements(html)) {
    if (!TAGS.has(el.localName)) found.push(`<${el.localName}>`);
    for (const attr of el.attributes) if (!ATTRIBUTES.has(attr.name)) found.push(`${el.localName}[${attr.name}]`);
    if (el.localName !== 'a') continue;
    const href = el.getAttribute('href');
    if (href !== null && !/^(?:https?:|mailto:)/i.test(href)) found.push(`href=${href}`);
    if (href !== null && (el.getAttribute('target') !== '_blank' || el.getAttribute('rel') !== 'noopener noreferrer')) found.push(`a without target/rel: ${el.outerHTML}`);
    if (href === null && (el.hasAttribute('target') || el.hasAttribute('rel'))) found.push(`a with target/rel and no href: ${el.outerHTML}`);
  }
  return found;
}

const HOSTILE_HTML = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<p onclick="alert(1)">x</p>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href=" javascript:alert(1)">x</a>',
  '<a href="java&#x09;script:alert(1)">x</a>',
  '<a href="&#106;avascript:alert(1)">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<a href="file:///etc/passwd">x</a>',
  '<a href="https://example.com" target="_self" rel="opener">x</a>',
  '<a href="https://example.com" onmouseover="alert(1)">x</a>',
  '<a target="_blank">no address</a>',
  '<svg><script>alert(1)</script></svg>',
  '<svg onload=alert(1)>',
  '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
  '<svg><animate attributeName="href" values="javascript:alert(1)" /></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
  '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>',
  '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<style>@import "https://evil.example/x.css";</style>',
  '<span style="background:url(javascript:alert(1))">x</span>',
  '<base href="https://evil.example/">',
  '<meta http-equiv="refresh" content="0;url=https://evil.example">',
  '<input autofocus onfocus=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<template><script>alert(1)</script></template>',
  '<div id="cookie" name="cookie">clobber</div>',
  '<form name="getElementById"><input name="x"></form>',
  '<span class="mention" data-user-id="x" data-evil="y" id="z">@x</span>',
  '<a href="https://example.com"><img src=x onerror=alert(1)>x</a>',
  '<p>a<!-- <img src=x onerror=alert(1)> -->b</p>',
  '<![CDATA[<img src=x onerror=alert(1)>]]>',
  '<x onclick=alert(1)>custom</x>',
];

describe('the sanitiser, on hostile HTML', () => {
  test.each(HOSTILE_HTML)('%s', (html) => {
    const out = sanitize(html);
    expect(dangers(out)).toEqual([]);
    expect(out).not.toMatch(/onerror|onload|onclick|onmouseover|onfocus|ontoggle/i);
  });

  test('keeps what the renderer produces', () => {
    const html = `<p><strong>b</strong> <em>i</em> <s>s</s> <code>c</code> <a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">site</a> <span class="mention mention-me" data-user-id="${ANA}">@Ana</span></p>\n<ol start="3">\n<li>x</li>\n</ol>\n<pre><code class="language-js">x\n</code></pre>\n<blockquote>\n<p>q<br>\nr</p>\n</blockquote>`;
    expect(sanitize(html)).toBe(html);
  });

  test('a link keeps its address and opens in a new tab without an opener, whatever it asked for', () => {
    expect(sanitize('<a href="https://example.com" target="_self" rel="opener">x</a>')).toBe('<a href="https://example.com" target="_blank" rel="noopener noreferrer">x</a>');
    expect(sanitize('<a href="mailto:ana@example.com">x</a>')).toBe('<a href="mailto:ana@example.com" target="_blank" rel="noopener noreferrer">x</a>');
    expect(sanitize('<a href="javascript:alert(1)" target="_blank" rel="noopener">x</a>')).toBe('<a>x</a>');
  });
});

const HOSTILE_MARKDOWN = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](java\tscript:alert(1))',
  '[x](data:text/html,<script>alert(1)</script>)',
  '[x](vbscript:x)',
  '<javascript:alert(1)>',
  '[x" onmouseover="alert(1)](https://example.com/"onmouseover="alert(1))',
  '[x](https://example.com "title\\" onmouseover=alert(1)")',
  '![img](https://example.com/x.png" onerror="alert(1))',
  '```html\n<script>alert(1)</script>\n```',
  '`<img src=x onerror=alert(1)>`',
  '> <iframe src="javascript:alert(1)">',
  '- [a](https://example.com)\n- <svg onload=alert(1)>',
  'www.example.com/<script>',
  'ana@example.com<img src=x onerror=alert(1)>',
  '**<a href="javascript:alert(1)">bold</a>**',
];

describe('the whole pipeline, on hostile Markdown', () => {
  test.each(HOSTILE_MARKDOWN)('%s', (text) => {
    expect(dangers(renderMessage(sanitize, text))).toEqual([]);
  });

  test('raw HTML shows as text, links keep their rel and target', () => {
    expect(renderMessage(sanitize, '<img src=x onerror=alert(1)>')).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    expect(renderMessage(sanitize, 'see https://example.com/x and [mail](mailto:ana@example.com)')).toBe(
      '<p>see <a href="https://example.com/x" target="_blank" rel="noopener noreferrer">https://example.com/x</a> and <a href="mailto:ana@example.com" target="_blank" rel="noopener noreferrer">mail</a></p>',
    );
    expect(renderMessage(sanitize, '[x](javascript:alert(1))')).toBe('<p>[x](javascript:alert(1))</p>');
  });

  test('a mention of a user whose name is markup shows the name as text', () => {
    const html = renderMessage(sanitize, 'hi @ana', [{ type: 'mention', offset: 3, length: 4, userId: ANA }], { names: { [ANA]: '<img src=x onerror=alert(1)>' } });
    expect(dangers(html)).toEqual([]);
    expect(html).toBe(`<p>hi <span class="mention" data-user-id="${ANA}">@&lt;img src=x onerror=alert(1)&gt;</span></p>`);
  });
});
