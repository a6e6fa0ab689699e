import createDOMPurify, { type Config, type WindowLike } from 'dompurify';
import type { Sanitizer } from './render.js';

/** What message HTML may contain: the tags and attributes our Markdown renderer produces, nothing else. */
const CONFIG: Config & { RETURN_TRUSTED_TYPE: false } = {
  ALLOWED_TAGS: ['p', 'br', 'strong', 'em', 's', 'code', 'pre', 'a', 'ul', 'ol', 'li', 'blockquote', 'span'],
  ALLOWED_ATTR: ['href', 'target', 'rel', 'start', 'class', 'data-user-id'],
  // Addresses must be absolute http(s) or mailto. DOMPurify checks every allowed attribute that is not known to be
  // URI-safe against this pattern, so the two whose values are no address are declared safe.
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  ADD_URI_SAFE_ATTR: ['start', 'data-user-id'],
  ALLOW_DATA_ATTR: false,
  RETURN_TRUSTED_TYPE: false,
};

/**
 * DOMPurify on a window (the page's; jsdom's in tests), with our allow-list: the only sanitiser of message HTML.
 * Links open in a new tab without an opener; a link whose address was removed keeps neither. Where DOMPurify cannot
 * run (no usable DOM), everything is escaped: the message shows as text.
 */
export function createSanitizer(window: WindowLike): Sanitizer {
  const purifier = createDOMPurify(window);
  if (!purifier.isSupported) {
    const escape = (html: string) => html.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    return escape;
  }
  purifier.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName !== 'A') return;
    if (node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    } else {
      node.removeAttribute('target');
      node.removeAttribute('rel');
    }
  });
  return (html) => purifier.sanitize(html, CONFIG);
}
