import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { CATEGORIES, loadEmojiData, searchEmoji, withTone, type EmojiData, type EmojiEntry, type SkinTone } from './data.js';
import { recentEmoji, rememberEmoji, setSkinTone, skinTone } from './prefs.js';
import './emoji.css';

const TONE_SWATCHES = ['✋', '✋🏻', '✋🏼', '✋🏽', '✋🏾', '✋🏿'];

interface Section {
  key: string;
  title: string;
  items: EmojiEntry[];
}

/** The search results, or the recently used emoji followed by every category. */
function useSections(data: EmojiData | undefined, query: string, recent: string[]): Section[] {
  const { t } = useTranslation();
  return useMemo(() => {
    if (!data) return [];
    if (query.trim()) return [{ key: 'results', title: t('emoji.results'), items: searchEmoji(data, query) }];
    const out: Section[] = [];
    const recentItems = recent.map((e) => data.byEmoji.get(e)).filter((e): e is EmojiEntry => Boolean(e));
    if (recentItems.length) out.push({ key: 'recent', title: t('emoji.recent'), items: recentItems });
    for (const c of CATEGORIES) out.push({ key: c.key, title: t(`emoji.categories.${c.key}`), items: data.list.filter((e) => e.group === c.group) });
    return out;
  }, [data, query, recent, t]);
}

/** Calls `onClose` on a click outside `root`. */
function useCloseOnOutsideClick(root: RefObject<HTMLElement | null>, onClose: () => void): void {
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) onClose();
    };
    document.addEventListener('mousedown', onDown, true);
    return () => document.removeEventListener('mousedown', onDown, true);
  }, [root, onClose]);
}

/** The skin tone button and the swatches it opens; the choice is remembered. */
function SkinToneMenu({ tone, onTone }: { tone: SkinTone; onTone: (tone: SkinTone) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <div className="emoji-tone">
      <button type="button" className="icon-btn emoji-tone-btn" aria-label={t('emoji.skinTone')} aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {TONE_SWATCHES[tone]}
      </button>
      {open && (
        <div className="emoji-tone-menu" role="group" aria-label={t('emoji.skinTone')}>
          {TONE_SWATCHES.map((s, i) => (
            <button
              key={s}
              type="button"
              className="icon-btn"
              aria-pressed={tone === i}
              aria-label={t(`emoji.tones.${i}`)}
              onClick={() => {
                onTone(i as SkinTone);
                setOpen(false);
              }}
            >
              {s}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/** One button per category (and recent ones): scrolls the grid to it. */
function CategoryTabs({ hasRecent, onJump }: { hasRecent: boolean; onJump: (key: string) => void }) {
  const { t } = useTranslation();
  return (
    <nav className="emoji-tabs" aria-label={t('emoji.categoriesLabel')}>
      {hasRecent && (
        <button type="button" className="emoji-tab" title={t('emoji.recent')} aria-label={t('emoji.recent')} onClick={() => onJump('recent')}>
          🕘
        </button>
      )}
      {CATEGORIES.map((c) => (
        <button key={c.key} type="button" className="emoji-tab" title={t(`emoji.categories.${c.key}`)} aria-label={t(`emoji.categories.${c.key}`)} onClick={() => onJump(c.key)}>
          {c.icon}
        </button>
      ))}
    </nav>
  );
}

/** Arrow keys move between emoji (8 per row; ↑ from the first row goes back to the search box). */
function onGridKey(e: KeyboardEvent<HTMLDivElement>, grid: HTMLElement | null, search: HTMLInputElement | null): void {
  const buttons = [...(grid?.querySelectorAll<HTMLButtonElement>('button.emoji-cell') ?? [])];
  const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
  if (i < 0) return;
  const rtl = document.documentElement.dir === 'rtl';
  const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1, ArrowDown: 8, ArrowUp: -8 }[e.key];
  if (step === undefined) return;
  e.preventDefault();
  if (i + step < 0) search?.focus();
  else buttons[Math.max(0, Math.min(buttons.length - 1, i + step))]?.focus();
}

/** The emoji of every section, in the chosen tone; hovering or focusing one shows it in the preview. */
function EmojiSections({ sections, tone, onPick, onPreview }: { sections: Section[]; tone: SkinTone; onPick: (entry: EmojiEntry) => void; onPreview: (entry: EmojiEntry) => void }) {
  return sections.map(
    (s) =>
      s.items.length > 0 && (
        <section key={s.key} data-section={s.key} className="emoji-section" aria-label={s.title}>
          <h3 className="emoji-section-title">{s.title}</h3>
          <div className="emoji-grid">
            {s.items.map((entry) => (
              <button
                key={entry.emoji}
                type="button"
                className="emoji-cell"
                aria-label={entry.label}
                title={entry.shortcodes[0] ? `:${entry.shortcodes[0]}:` : entry.label}
                onClick={() => onPick(entry)}
                onMouseEnter={() => onPreview(entry)}
                onFocus={() => onPreview(entry)}
              >
                {withTone(entry, tone)}
              </button>
            ))}
          </div>
        </section>
      ),
  );
}

function EmojiPreview({ entry, tone }: { entry: EmojiEntry | undefined; tone: SkinTone }) {
  const { t } = useTranslation();
  return (
    <div className="emoji-preview" aria-hidden="true">
      {entry ? (
        <>
          <span className="emoji-preview-glyph">{withTone(entry, tone)}</span>
          <span className="emoji-preview-text">
            <span className="emoji-preview-label">{entry.label}</span>
            {entry.shortcodes[0] && <span className="muted">:{entry.shortcodes[0]}:</span>}
          </span>
        </>
      ) : (
        <span className="muted">{t('emoji.hint')}</span>
      )}
    </div>
  );
}

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
  const [preview, setPreview] = useState<EmojiEntry | undefined>();
  const [recent] = useState(recentEmoji);
  const rootRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const sections = useSections(data, query, recent);
  useCloseOnOutsideClick(rootRef, onClose);

  useEffect(() => {
    loadEmojiData().then(setData, () => setFailed(true));
    searchRef.current?.focus();
  }, []);

  function pick(entry: EmojiEntry) {
    const emoji = withTone(entry, tone);
    rememberEmoji(emoji);
    onPick(emoji);
  }

  function jumpTo(key: string) {
    const el = gridRef.current?.querySelector<HTMLElement>(`[data-section="${key}"]`);
    if (el && gridRef.current) gridRef.current.scrollTop = el.offsetTop - gridRef.current.offsetTop;
  }

  return (
    <div
      ref={rootRef}
      className="emoji-picker"
      role="dialog"
      aria-label={label ?? t('emoji.title')}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        e.preventDefault();
        onClose();
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
            const first = sections[0]?.items[0];
            if (e.key === 'ArrowDown') gridRef.current?.querySelector<HTMLButtonElement>('button.emoji-cell')?.focus();
            else if (e.key === 'Enter' && first) pick(first);
            else if (e.key !== 'Enter') return;
            e.preventDefault();
          }}
        />
        <SkinToneMenu
          tone={tone}
          onTone={(next) => {
            setTone(next);
            setSkinTone(next);
          }}
        />
      </div>
      {!query.trim() && <CategoryTabs hasRecent={recent.length > 0} onJump={jumpTo} />}
      <div className="emoji-grid-wrap" ref={gridRef} onKeyDown={(e) => onGridKey(e, gridRef.current, searchRef.current)}>
        {!data && !failed && <p className="emoji-status muted">{t('emoji.loading')}</p>}
        {failed && <p className="emoji-status muted">{t('emoji.failed')}</p>}
        {data && sections.every((s) => s.items.length === 0) && <p className="emoji-status muted">{t('emoji.noResults')}</p>}
        <EmojiSections sections={sections} tone={tone} onPick={pick} onPreview={setPreview} />
      </div>
      <EmojiPreview entry={preview} tone={tone} />
    </div>
  );
}
