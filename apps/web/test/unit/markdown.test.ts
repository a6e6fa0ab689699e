import { describe, expect, test } from 'vitest';
import { isAllowedLink, isEmojiOnly, plainText, renderMessageHtml, withPlaceholders } from '../../src/features/markdown/render.js';

const ANA = '0193a000-0000-7000-8000-000000000001';
const ME = '0193a000-0000-7000-8000-000000000002';

describe('markdown subset', () => {
  test('bold, italic, strike, inline code', () => {
    expect(renderMessageHtml('**b** *i* _i_ ~~s~~ `c`')).toBe('<p><strong>b</strong> <em>i</em> <em>i</em> <s>s</s> <code>c</code></p>');
  });

  test('code blocks keep their text literally and escaped', () => {
    const html = renderMessageHtml('```\nconst a = "<b>";\n**not bold**\n```');
    expect(html).toContain('<pre><code>const a = &quot;&lt;b&gt;&quot;;\n**not bold**\n</code></pre>');
  });

  test('lists and block quotes', () => {
    expect(renderMessageHtml('- one\n- two')).toBe('<ul>\n<li>one</li>\n<li>two</li>\n</ul>');
    expect(renderMessageHtml('1. one\n2. two')).toContain('<ol>');
    expect(renderMessageHtml('> quoted')).toBe('<blockquote>\n<p>quoted</p>\n</blockquote>');
  });

  test('single newlines are line breaks, as in every chat app', () => {
    expect(renderMessageHtml('a\nb')).toBe('<p>a<br>\nb</p>');
  });

  test('headings, rules, tables and images are not part of the subset', () => {
    expect(renderMessageHtml('# not a heading')).toBe('<p># not a heading</p>');
    expect(renderMessageHtml('![alt](https://example.com/x.png)')).not.toContain('<img');
    expect(renderMessageHtml('---')).not.toContain('<hr');
    expect(renderMessageHtml('| a | b |\n|---|---|\n| 1 | 2 |')).not.toContain('<table');
  });
});

describe('links', () => {
  test('http(s) and mailto links open in a new tab without opener', () => {
    expect(renderMessageHtml('[site](https://example.com/a?b=1&c=2)')).toBe(
      '<p><a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">site</a></p>',
    );
    expect(renderMessageHtml('[mail](mailto:ana@example.com)')).toContain('href="mailto:ana@example.com"');
  });

  test('bare URLs, www. and emails are linkified', () => {
    expect(renderMessageHtml('see https://example.com/x')).toContain('<a href="https://example.com/x" target="_blank" rel="noopener noreferrer">https://example.com/x</a>');
    expect(renderMessageHtml('see www.example.com')).toContain('href="http://www.example.com"');
    expect(renderMessageHtml('write to ana@example.com')).toContain('href="mailto:ana@example.com"');
  });

  test('javascript:, data:, vbscript: and relative links stay as text', () => {
    for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', '/relative', 'file:///etc/passwd']) {
      const html = renderMessageHtml(`[link](${url})`);
      expect(html, url).not.toMatch(/<a /);
      expect(html, url).toContain('[link]');
    }
    expect(renderMessageHtml('<javascript:alert(1)>')).not.toMatch(/<a /);
  });
});

describe('raw HTML is text', () => {
  test('an img with an onerror handler renders as visible text', () => {
    expect(renderMessageHtml('<img src=x onerror=alert(1)>')).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
  });
  test('script tags and attributes injected through link text are escaped', () => {
    expect(renderMessageHtml('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    const html = renderMessageHtml('[x" onmouseover="alert(1)](https://example.com/"onmouseover="alert(1))');
    expect(html).not.toMatch(/<a[^>]* onmouseover=/);
    expect(html).toContain("x&quot; onmouseover=&quot;alert(1)");
  });
});

describe('mentions', () => {
  test('entities become chips with the current display name, escaped', () => {
    const text = 'hi @ana and @all!';
    const html = renderMessageHtml(
      text,
      [
        { type: 'mention', offset: 3, length: 4, userId: ANA },
        { type: 'mention_all', offset: 12, length: 4 },
      ],
      { names: { [ANA]: 'Ana <García>' }, meId: ME },
    );
    expect(html).toBe(`<p>hi <span class="mention" data-user-id="${ANA}">@Ana &lt;García&gt;</span> and <span class="mention mention-me">@all</span>!</p>`);
  });

  test('a mention of me is highlighted', () => {
    expect(renderMessageHtml('@me', [{ type: 'mention', offset: 0, length: 3, userId: ME }], { meId: ME })).toContain('class="mention mention-me"');
  });

  test('markdown around a mention still applies, and the entity text is used when the name is unknown', () => {
    expect(renderMessageHtml('**@ana**', [{ type: 'mention', offset: 2, length: 4, userId: ANA }])).toBe(
      `<p><strong><span class="mention" data-user-id="${ANA}">@ana</span></strong></p>`,
    );
  });

  test('placeholders cannot be forged by typing the private characters', () => {
    const { text, mentions } = withPlaceholders('x \uE0000\uE001 y', []);
    expect(mentions).toHaveLength(0);
    expect(renderMessageHtml('x \uE0000\uE001 y')).toBe('<p>x 0 y</p>');
    expect(text).toBe('x 0 y');
  });

  test('out-of-range and overlapping entities are ignored', () => {
    const html = renderMessageHtml('@ana', [
      { type: 'mention', offset: 0, length: 4, userId: ANA },
      { type: 'mention', offset: 1, length: 2, userId: ME },
      { type: 'mention', offset: 3, length: 9, userId: ME },
    ]);
    expect(html.match(/class="mention/g)).toHaveLength(1);
  });
});

describe('link allow-list', () => {
  test('only absolute http(s) and mailto URLs, read as a browser reads them', () => {
    expect(isAllowedLink('https://example.com')).toBe(true);
    expect(isAllowedLink('http://example.com')).toBe(true);
    expect(isAllowedLink('mailto:a@b.c')).toBe(true);
    expect(isAllowedLink('javascript:alert(1)')).toBe(false);
    expect(isAllowedLink('java\nscript:alert(1)')).toBe(false);
    expect(isAllowedLink(' javascript:alert(1)')).toBe(false);
    expect(isAllowedLink('https:\u0000//x')).toBe(false);
    expect(isAllowedLink('//example.com')).toBe(false);
    expect(isAllowedLink('/relative')).toBe(false);
    expect(isAllowedLink('data:text/html,x')).toBe(false);
  });
});

describe('emoji-only messages', () => {
  test('are detected for 1 to 6 emoji', () => {
    expect(isEmojiOnly('😄')).toBe(true);
    expect(isEmojiOnly('👍🏽 🎉')).toBe(true);
    expect(isEmojiOnly('👨‍👩‍👧')).toBe(true);
    expect(isEmojiOnly('hi 😄')).toBe(false);
    expect(isEmojiOnly('1')).toBe(false);
    expect(isEmojiOnly('😄😄😄😄😄😄😄')).toBe(false);
  });
});

describe('plain text excerpts', () => {
  test('are what the message shows, without its markup', () => {
    expect(plainText('Here are the **mockups**:\n- one\n- two\n\n> Keep it _simple_ and `small`, see [spec](https://x.y)')).toBe(
      'Here are the mockups: one two Keep it simple and small, see spec',
    );
    expect(plainText('```js\nconst a = 1;\n```\nafter')).toBe('const a = 1; after');
    expect(plainText('snake_case_name and <b>tags</b> # not a heading')).toBe('snake_case_name and <b>tags</b> # not a heading');
    // As rendered: 2*3*4 shows an italic 3.
    expect(plainText('2*3*4 and [a link](javascript:alert(1))')).toBe('234 and [a link](javascript:alert(1))');
  });
});
