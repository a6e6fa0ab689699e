import { describe, expect, test } from 'vitest';
import { decodeHtml, extractMetadata } from '../../src/features/link-previews/page-metadata.js';
import { firstLink } from '../../src/features/messages/links.js';
import { isPublicAddress } from '../../src/platform/address-policy.js';

describe('the address classifier', () => {
  test.each([
    '127.0.0.1', '127.255.255.254', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '255.255.255.255', '224.0.0.1', '239.255.255.250', '192.0.2.1', '198.18.0.1', '240.0.0.1',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1',
    '64:ff9b::7f00:1', '2002:7f00:1::1', '2001::1', '2001:db8::1', '[::1]',
    'localhost', '2130706433', '0x7f.1', '127.1', '', 'not an address',
  ])('%s is refused', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  test.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '2001:4860:4860::8888', '2606:4700::1111', '::ffff:8.8.8.8', '[2606:4700::1111]'])(
    '%s is public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe('reading a page', () => {
  const page = 'https://example.org/news/post';

  test('OpenGraph wins over <title> and the meta description; entities decoded; the image resolved against the page', () => {
    const html = `<html><head><title>Plain</title><meta name="description" content="plain description">
      <meta property="og:title" content="  Rock &amp;\n roll  "><meta property="og:description" content="OG description">
      <meta property="og:site_name" content="Example"><meta property="og:image" content="../img/cover.jpg"></head></html>`;
    expect(extractMetadata(html, page)).toEqual({
      title: 'Rock & roll',
      description: 'OG description',
      siteName: 'Example',
      imageUrl: 'https://example.org/img/cover.jpg',
    });
  });

  test('falls back to <title>, the meta description and Twitter cards; keys and tags in any case', () => {
    const html = `<HTML><HEAD><TITLE>Only &lt;title&gt;</TITLE><META NAME="Description" CONTENT="desc"><meta name="twitter:image" content="//cdn.example.org/a.png">`;
    expect(extractMetadata(html, page)).toEqual({ title: 'Only <title>', description: 'desc', siteName: null, imageUrl: 'https://cdn.example.org/a.png' });
  });

  test('a page with neither title nor description gives nothing; images other than http(s) are dropped', () => {
    expect(extractMetadata('<html><body><p>hi</p></body></html>', page)).toBeUndefined();
    expect(extractMetadata('<title>t</title><meta property="og:image" content="javascript:alert(1)">', page)?.imageUrl).toBeNull();
    expect(extractMetadata('<title>t</title><meta property="og:image" content="data:image/png;base64,AAAA">', page)?.imageUrl).toBeNull();
  });

  test('long values are cut with an ellipsis; control characters dropped; a title inside the body is not taken after the first', () => {
    const long = 'é'.repeat(2000);
    const meta = extractMetadata(`<title>first\u0007</title><meta property="og:description" content="${long}"><body><svg><title>second</title></svg>`, page)!;
    expect(meta.title).toBe('first');
    expect(Array.from(meta.description!)).toHaveLength(1000);
    expect(meta.description!.endsWith('…')).toBe(true);
  });

  test('garbage is read without throwing', () => {
    for (const junk of ['<', '<meta', '<<<>>><title', '\u0000\u0001<title>x', '<title>' + '<'.repeat(10_000), '<meta property="og:title" content="unterminated']) {
      expect(() => extractMetadata(junk, page)).not.toThrow();
    }
  });

  test('the charset comes from the response, else a byte-order mark or <meta charset>, else UTF-8; unknown ones read as UTF-8', () => {
    const latin1 = Buffer.from('<meta charset="iso-8859-1"><title>caf\xe9</title>', 'latin1');
    expect(decodeHtml(latin1, undefined)).toContain('café');
    expect(decodeHtml(Buffer.from('<title>caf\xe9</title>', 'latin1'), 'windows-1252')).toContain('café');
    expect(decodeHtml(Buffer.from('<title>café</title>'), 'no-such-charset')).toContain('café');
    expect(decodeHtml(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('<title>é</title>')]), undefined)).toContain('é');
    expect(decodeHtml(Buffer.from([0x3c, 0xff, 0xfe, 0x3e]), 'utf-8')).toContain('\ufffd');
  });
});

describe('the first link of a message', () => {
  const textOf = (text: string) => firstLink({ type: 'text', text, entities: [] });

  test.each([
    ['see https://example.org/a.', 'https://example.org/a'],
    ['(see https://example.org/a)', 'https://example.org/a'],
    ['https://en.wikipedia.org/wiki/Rust_(programming_language)!', 'https://en.wikipedia.org/wiki/Rust_(programming_language)'],
    ['[text](https://example.org/b) and https://example.org/c', 'https://example.org/b'],
    ['<https://example.org/d>', 'https://example.org/d'],
    ['`https://example.org/code` then http://example.org/e', 'http://example.org/e'],
    ['```\nhttps://example.org/block\n```\nhttps://example.org/f', 'https://example.org/f'],
    ['``a ` https://example.org/in-code``, https://example.org/h', 'https://example.org/h'],
    ['a lone ` then https://example.org/i', 'https://example.org/i'],
    ['ftp://example.org/x mailto:a@example.org', undefined],
    ['no link here', undefined],
    ['https:// broken', undefined],
  ])('%s', (text, link) => {
    expect(textOf(text)).toBe(link);
  });

  test.each([
    ['a run of backticks', '`'.repeat(65_536)],
    ['alternating backticks', '`a'.repeat(32_768)],
    ['runs of every length', Array.from({ length: 300 }, (_, i) => '`'.repeat(i + 1) + 'x').join('')],
    ['punctuation after a link', `http://a/${'.,'.repeat(30_000)}x`],
    ['closing brackets after a link', `http://a/${')'.repeat(60_000)}`],
    ['unclosed fences', '~~~ '.repeat(16_000)],
  ])('stays linear on %s (it runs for every message)', (_what, text) => {
    const started = performance.now();
    textOf(text);
    expect(performance.now() - started).toBeLessThan(250);
  });

  test('a media caption counts; system lines and deleted messages have none', () => {
    expect(firstLink({ type: 'media', text: 'https://example.org/g', entities: [], attachments: [] as never })).toBe('https://example.org/g');
    expect(firstLink({ type: 'system', event: 'topic.changed', userIds: [], title: null, topic: 'https://example.org' })).toBeUndefined();
    expect(firstLink(null)).toBeUndefined();
  });
});
