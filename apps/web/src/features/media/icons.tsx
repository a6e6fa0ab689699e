import type { FileKind } from '@hearth/client';
import { Svg } from '../conversation/icons.js';

/** What a file is, by kind or claimed type, for its icon. */
function familyOf(type: string, kind?: FileKind): 'image' | 'video' | 'audio' | 'pdf' | 'archive' | 'text' | 'file' {
  if (kind === 'image' || type.startsWith('image/')) return 'image';
  if (kind === 'video' || type.startsWith('video/')) return 'video';
  if (kind === 'audio' || kind === 'voice' || type.startsWith('audio/')) return 'audio';
  if (type === 'application/pdf') return 'pdf';
  if (/zip|tar|gzip|compressed|7z|rar/.test(type)) return 'archive';
  if (type.startsWith('text/') || /json|xml|document|sheet|presentation/.test(type)) return 'text';
  return 'file';
}

/** A file's type icon (decorative: its name is always written beside it). */
export function FileIcon({ type, kind, className, size = 28 }: { type: string; kind?: FileKind; className?: string; size?: number }) {
  const family = familyOf(type, kind);
  return (
    <svg className={`file-icon file-icon-${family}${className ? ` ${className}` : ''}`} width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z" />
      <polyline points="14 2 14 8 20 8" />
      {family === 'image' && <polyline points="7 18 10 14 12 16 14 13 17 18" />}
      {family === 'video' && <polygon points="10 12 15 15 10 18 10 12" />}
      {family === 'audio' && <path d="M10 18v-5l5-1v5M10 18a1.5 1.5 0 1 1-1.5-1.5M15 17a1.5 1.5 0 1 1-1.5-1.5" />}
      {family === 'pdf' && <path d="M8 13h8M8 17h5" />}
      {family === 'archive' && <path d="M12 11v1M12 14v1M12 17v1" />}
      {family === 'text' && <path d="M8 13h8M8 17h8M8 9h2" />}
    </svg>
  );
}

type P = { size?: number; className?: string };

export const IconPaperclip = (p: P) => (
  <Svg {...p}>
    <path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48" />
  </Svg>
);
export const IconMic = (p: P) => (
  <Svg {...p}>
    <rect x="9" y="2" width="6" height="12" rx="3" />
    <path d="M19 10v1a7 7 0 0 1-14 0v-1M12 18v4M8 22h8" />
  </Svg>
);
export const IconPlay = (p: P) => (
  <Svg {...p}>
    <polygon points="6 4 20 12 6 20 6 4" fill="currentColor" />
  </Svg>
);
export const IconPause = (p: P) => (
  <Svg {...p}>
    <rect x="6" y="4" width="4" height="16" fill="currentColor" />
    <rect x="14" y="4" width="4" height="16" fill="currentColor" />
  </Svg>
);
export const IconDownload = (p: P) => (
  <Svg {...p}>
    <path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4" />
    <polyline points="7 10 12 15 17 10" />
    <line x1="12" y1="15" x2="12" y2="3" />
  </Svg>
);
export const IconChevron = (p: P & { back?: boolean }) => (
  <Svg {...p}>
    <polyline points={p.back ? '15 18 9 12 15 6' : '9 18 15 12 9 6'} />
  </Svg>
);
export const IconFiles = (p: P) => (
  <Svg {...p}>
    <path d="M13 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9z" />
    <polyline points="13 2 13 9 20 9" />
  </Svg>
);
export const IconStop = (p: P) => (
  <Svg {...p}>
    <rect x="6" y="6" width="12" height="12" rx="2" fill="currentColor" />
  </Svg>
);
