import createDOMPurify from 'dompurify';
import { ALLOWED_ATTR_NAMES, ALLOWED_TAGS, isSafeUrl } from './sanitize.js';

/**
 * The second line of defence, in the browser: DOMPurify with the same allowlist as the pure sanitiser. Our own
 * instance, so the hooks below do not affect anyone else's use of DOMPurify.
 */
const purifier = typeof window !== 'undefined' ? createDOMPurify(window) : undefined;

if (purifier?.isSupported) {
  purifier.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName !== 'A') return;
    const href = node.getAttribute('href');
    if (href === null || !isSafeUrl(href)) {
      node.removeAttribute('href');
      node.removeAttribute('target');
      node.removeAttribute('rel');
      return;
    }
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  });
}

export function purify(html: string): string {
  if (!purifier?.isSupported) return html;
  return purifier.sanitize(html, {
    ALLOWED_TAGS: [...ALLOWED_TAGS],
    ALLOWED_ATTR: [...ALLOWED_ATTR_NAMES],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
    ALLOW_DATA_ATTR: false,
    RETURN_TRUSTED_TYPE: false,
  });
}
