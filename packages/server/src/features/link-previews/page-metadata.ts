import { Parser } from 'htmlparser2';

/** What a page says about itself, as a preview shows it. */
export interface PageMetadata {
  title: string | null;
  description: string | null;
  siteName: string | null;
  /** The absolute http(s) address of the page's image, if it names one. */
  imageUrl: string | null;
}

const MAX_TITLE = 300;
const MAX_DESCRIPTION = 1000;
const MAX_SITE_NAME = 100;
/** Bytes looked at for a `<meta charset>` when the response did not name one (as browsers do, roughly). */
const SNIFF_BYTES = 1024;

/**
 * The text of an HTML body: in the charset the response named, else the one a byte-order mark or a `<meta charset>`
 * near the start names, else UTF-8. An unknown charset reads as UTF-8; bytes that do not decode become U+FFFD.
 * @example decodeHtml(Buffer.from('<meta charset="windows-1252">caf\xe9', 'latin1'), undefined) // '…café'
 */
export function decodeHtml(body: Buffer, charset: string | undefined): string {
  const label = charset ?? bomCharset(body) ?? sniffCharset(body) ?? 'utf-8';
  try {
    return new TextDecoder(label).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

function bomCharset(body: Buffer): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  return undefined;
}

function sniffCharset(body: Buffer): string | undefined {
  const head = body.subarray(0, SNIFF_BYTES).toString('latin1');
  return /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
}

/**
 * Reads a page's OpenGraph tags (`og:title`, `og:description`, `og:site_name`, `og:image`), falling back to the
 * Twitter card's, then to `<title>` and `<meta name="description">`. Values are trimmed, their white space collapsed
 * and their length capped; the image address is resolved against the page's and kept only if it is http(s). Bad HTML
 * is read as browsers would read it (htmlparser2 is forgiving). Returns undefined for a page with neither title nor
 * description: nothing worth showing.
 * @example extractMetadata('<meta property="og:title" content="Hearth">', 'https://example.org/')?.title // 'Hearth'
 */
export function extractMetadata(html: string, pageUrl: string): PageMetadata | undefined {
  const meta = new Map<string, string>();
  let title = '';
  let inTitle = false;
  let titleSeen = false;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'meta') {
          const key = (attrs.property ?? attrs.name ?? '').trim().toLowerCase();
          if (key !== '' && attrs.content !== undefined && !meta.has(key)) meta.set(key, attrs.content);
        } else if (name === 'title' && !titleSeen) {
          inTitle = true;
        }
      },
      ontext(text) {
        if (inTitle && title.length < MAX_TITLE * 4) title += text;
      },
      onclosetag(name) {
        if (name === 'title' && inTitle) {
          inTitle = false;
          titleSeen = true;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  const pick = (keys: string[], max: number, fallback?: string): string | null => {
    for (const value of [...keys.map((k) => meta.get(k)), fallback]) {
      const cleaned = value === undefined ? null : clean(value, max);
      if (cleaned !== null) return cleaned;
    }
    return null;
  };
  const result: PageMetadata = {
    title: pick(['og:title', 'twitter:title'], MAX_TITLE, title),
    description: pick(['og:description', 'twitter:description', 'description'], MAX_DESCRIPTION),
    siteName: pick(['og:site_name', 'application-name'], MAX_SITE_NAME),
    imageUrl: imageOf([meta.get('og:image:secure_url'), meta.get('og:image'), meta.get('og:image:url'), meta.get('twitter:image')], pageUrl),
  };
  return result.title === null && result.description === null ? undefined : result;
}

/** Trimmed, white space collapsed, cut at `max` code points (with an ellipsis); null when empty. */
function clean(value: string, max: number): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are dropped from what is shown
  const text = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

function imageOf(candidates: Array<string | undefined>, pageUrl: string): string | null {
  for (const candidate of candidates) {
    if (candidate === undefined || candidate.trim() === '') continue;
    try {
      const url = new URL(candidate.trim(), pageUrl);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
    } catch {
      // not an address: try the next
    }
  }
  return null;
}
