import type { LinkPreview, Message } from '@hearth/client';
import { useTranslation } from 'react-i18next';
import { useActions, useInfo } from './context.js';
import { IconClose } from './icons.js';

/** The host of a link, without `www.`, for a card whose page gives no site name. */
function hostOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.hostname.replace(/^www\./, '') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a message's first link points at, under the message: the site, the title as a link (a new tab, no opener,
 * no referrer), the description clamped to three lines, and the image, which the Hearth server read and serves
 * (the browser never contacts the linked site until the link is followed). The image's size is reserved from its
 * width and height, so the list does not jump when it loads. The author (or a moderator) may remove it.
 */
export function LinkPreviewCard({ message, preview }: { message: Message; preview: LinkPreview }) {
  const { t } = useTranslation();
  const { meId, moderator, readOnly } = useInfo();
  const actions = useActions();
  const removable = !readOnly && (message.senderId === meId || moderator);
  const host = hostOf(preview.url);
  if (host === undefined) return null;
  const site = preview.siteName ?? host;
  // Only an address on this server: the image is Hearth's copy, never the site's.
  const image = preview.image && preview.image.url.startsWith('/') && !preview.image.url.startsWith('//') ? preview.image : null;
  return (
    <div className="link-preview" role="group" aria-label={t('conversation.linkPreview', { site })} data-testid="link-preview">
      <div className="link-preview-text">
        <div className="link-preview-site">{site}</div>
        <a className="link-preview-title" href={preview.url} target="_blank" rel="noopener noreferrer">
          {preview.title ?? host}
        </a>
        {preview.description && <p className="link-preview-description">{preview.description}</p>}
      </div>
      {removable && (
        <button type="button" className="link-preview-remove" aria-label={t('conversation.removeLinkPreview')} title={t('conversation.removeLinkPreview')} onClick={() => actions.removeLinkPreview(message)}>
          <IconClose size={14} />
        </button>
      )}
      {image && (
        <img
          className="link-preview-image"
          src={image.url}
          width={image.width}
          height={image.height}
          style={{ aspectRatio: `${image.width} / ${image.height}` }}
          alt=""
          loading="lazy"
          decoding="async"
        />
      )}
    </div>
  );
}
