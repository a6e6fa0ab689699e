import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CATEGORIES, loadEmojiData, searchEmoji, withTone, type EmojiData, type EmojiEntry, type SkinTone } from './data.js';
import { recentEmoji, rememberEmoji, setSkinTone, skinTone } from './prefs.js';
import './emoji.css';

const TONE_SWATCHES = ['✋', '✋🏻', '✋🏼', '✋🏽', '✋🏾', '✋🏿'];

/**
 * A searchable emoji picker with categories, skin tones and recently used emoji. Loaded lazily (its module and
 * the emoji data are separate chunks). Arrow keys move between emoji; Enter picks; Esc closes.
 */
export default function EmojiPicker({ onPick, onClose, label }: { onPick: (emoji: string) => void; onClose: () => void; label?: string }) {
  const { t } = useTranslation();
  const [data, setData] = useState<EmojiData>();
  const [failed, setFailed] = useState(false);
  const [query, setQuery] = useState('');
  const [tone, setTone] = useState<SkinTone>(skinTone);
  const [toneOpen, setToneOpen] = useState(false);
  const [preview, setPreview] = useState<EmojiEntry | undefined>();
  const [recent] = useState(recentEmoji);
  const rootRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    loadEmojiData().then(setData, () => setFailed(true));
    searchRef.current?.focus();
  }, []);

  // Closes on a click or focus outside.
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (rootRef.current && !rootRef.current.contains(e.target as Node)) onClose();
    };
    document.addEventListener('mousedown', onDown, true);
    return () => document.removeEventListener('mousedown', onDown, true);
  }, [onClose]);

  const sections = useMemo(() => {
    if (!data) return [];
    const out: Array<{ key: string; title: string; items: EmojiEntry[] }> = [];
    if (query.trim()) {
      out.push({ key: 'results', title: t('emoji.results'), items: searchEmoji(data, query) });
      return out;
    }
    const recentItems = recent.map((e) => data.byEmoji.get(e)).filter((e): e is EmojiEntry => Boolean(e));
    if (recentItems.length) out.push({ key: 'recent', title: t('emoji.recent'), items: recentItems });
    for (const c of CATEGORIES) out.push({ key: c.key, title: t(`emoji.categories.${c.key}`), items: data.list.filter((e) => e.group === c.group) });
    return out;
  }, [data, query, recent, t]);

  function pick(entry: EmojiEntry) {
    const emoji = withTone(entry, tone);
    rememberEmoji(emoji);
    onPick(emoji);
  }

  function onGridKey(e: KeyboardEvent<HTMLDivElement>) {
    const buttons = [...(gridRef.current?.querySelectorAll<HTMLButtonElement>('button.emoji-cell') ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const rtl = document.documentElement.dir === 'rtl';
    const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1, ArrowDown: 8, ArrowUp: -8 }[e.key];
    if (step === undefined) return;
    e.preventDefault();
    const next = buttons[Math.max(0, Math.min(buttons.length - 1, i + step))];
    if (i + step < 0) searchRef.current?.focus();
    else next?.focus();
  }

  function jumpTo(key: string) {
    const el = gridRef.current?.querySelector<HTMLElement>(`[data-section="${key}"]`);
    if (!el || !gridRef.current) return;
    gridRef.current.scrollTop = el.offsetTop - gridRef.current.offsetTop;
  }

  return (
    <div
      ref={rootRef}
      className="emoji-picker"
      role="dialog"
      aria-label={label ?? t('emoji.title')}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          e.preventDefault();
          onClose();
        }
      }}
    >
      <div className="emoji-top">
        <input
          ref={searchRef}
          className="emoji-search"
          type="search"
          placeholder={t('emoji.search')}
          aria-label={t('emoji.search')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              gridRef.current?.querySelector<HTMLButtonElement>('button.emoji-cell')?.focus();
            } else if (e.key === 'Enter') {
              e.preventDefault();
              const first = sections[0]?.items[0];
              if (first) pick(first);
            }
          }}
        />
        <div className="emoji-tone">
          <button
            type="button"
            className="icon-btn emoji-tone-btn"
            aria-label={t('emoji.skinTone')}
            aria-expanded={toneOpen}
            onClick={() => setToneOpen((o) => !o)}
          >
            {TONE_SWATCHES[tone]}
          </button>
          {toneOpen && (
            <div className="emoji-tone-menu" role="group" aria-label={t('emoji.skinTone')}>
              {TONE_SWATCHES.map((s, i) => (
                <button
                  key={s}
                  type="button"
                  className="icon-btn"
                  aria-pressed={tone === i}
                  aria-label={t(`emoji.tones.${i}`)}
                  onClick={() => {
                    setTone(i as SkinTone);
                    setSkinTone(i as SkinTone);
                    setToneOpen(false);
                  }}
                >
                  {s}
                </button>
              ))}
            </div>
          )}
        </div>
      </div>
      {!query.trim() && (
        <nav className="emoji-tabs" aria-label={t('emoji.categoriesLabel')}>
          {recent.length > 0 && (
            <button type="button" className="emoji-tab" title={t('emoji.recent')} aria-label={t('emoji.recent')} onClick={() => jumpTo('recent')}>
              🕘
            </button>
          )}
          {CATEGORIES.map((c) => (
            <button
              key={c.key}
              type="button"
              className="emoji-tab"
              title={t(`emoji.categories.${c.key}`)}
              aria-label={t(`emoji.categories.${c.key}`)}
              onClick={() => jumpTo(c.key)}
            >
              {c.icon}
            </button>
          ))}
        </nav>
      )}
      <div className="emoji-grid-wrap" ref={gridRef} onKeyDown={onGridKey}>
        {!data && !failed && <p className="emoji-status muted">{t('emoji.loading')}</p>}
        {failed && <p className="emoji-status muted">{t('emoji.failed')}</p>}
        {data && sections.every((s) => s.items.length === 0) && <p className="emoji-status muted">{t('emoji.noResults')}</p>}
        {sections.map(
          (s) =>
            s.items.length > 0 && (
              <section key={s.key} data-section={s.key} className="emoji-section" aria-label={s.title}>
                <h3 className="emoji-section-title">{s.title}</h3>
                <div className="emoji-grid">
                  {s.items.map((entry) => {
                    const shown = withTone(entry, tone);
                    return (
                      <button
                        key={entry.emoji}
                        type="button"
                        className="emoji-cell"
                        aria-label={entry.label}
                        title={entry.shortcodes[0] ? `:${entry.shortcodes[0]}:` : entry.label}
                        onClick={() => pick(entry)}
                        onMouseEnter={() => setPreview(entry)}
                        onFocus={() => setPreview(entry)}
                      >
                        {shown}
                      </button>
                    );
                  })}
                </div>
              </section>
            ),
        )}
      </div>
      <div className="emoji-preview" aria-hidden="true">
        {preview ? (
          <>
            <span className="emoji-preview-glyph">{withTone(preview, tone)}</span>
            <span className="emoji-preview-text">
              <span className="emoji-preview-label">{preview.label}</span>
              {preview.shortcodes[0] && <span className="muted">:{preview.shortcodes[0]}:</span>}
            </span>
          </>
        ) : (
          <span className="muted">{t('emoji.hint')}</span>
        )}
      </div>
    </div>
  );
}
