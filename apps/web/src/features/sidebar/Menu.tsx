import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';
import { Icon, type IconName } from './icons.js';

export interface MenuItem {
  id: string;
  label: string;
  icon?: IconName;
  danger?: boolean;
  onSelect: () => void;
}

/** Where the menu goes: under its anchor (above when there is no room below) or at a point, kept on screen. */
function useMenuPosition(menuRef: RefObject<HTMLDivElement | null>, anchor: RefObject<HTMLElement | null>, point: { x: number; y: number } | undefined): { top: number; left: number } | null {
  const [position, setPosition] = useState<{ top: number; left: number } | null>(null);
  useLayoutEffect(() => {
    const menu = menuRef.current;
    if (!menu) return;
    const rtl = document.documentElement.dir === 'rtl';
    const width = menu.offsetWidth;
    const height = menu.offsetHeight;
    let top: number;
    let left: number;
    if (point) {
      top = point.y;
      left = rtl ? point.x - width : point.x;
    } else {
      const rect = anchor.current?.getBoundingClientRect() ?? new DOMRect();
      top = rect.bottom + 4;
      if (top + height > window.innerHeight - 8) top = rect.top - height - 4;
      left = rtl ? rect.left : rect.right - width;
    }
    top = Math.max(8, Math.min(top, window.innerHeight - height - 8));
    left = Math.max(8, Math.min(left, window.innerWidth - width - 8));
    setPosition({ top, left });
    menu.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [menuRef, anchor, point]);
  return position;
}

/** A press outside the menu and its anchor, a resize or leaving the window closes the menu. */
function useDismiss(menuRef: RefObject<HTMLDivElement | null>, anchor: RefObject<HTMLElement | null>, onClose: (returnFocus: boolean) => void): void {
  useEffect(() => {
    function outside(e: PointerEvent) {
      if (!menuRef.current?.contains(e.target as Node) && !anchor.current?.contains(e.target as Node)) onClose(false);
    }
    const dismiss = () => onClose(false);
    document.addEventListener('pointerdown', outside, true);
    window.addEventListener('resize', dismiss);
    window.addEventListener('blur', dismiss);
    return () => {
      document.removeEventListener('pointerdown', outside, true);
      window.removeEventListener('resize', dismiss);
      window.removeEventListener('blur', dismiss);
    };
  }, [menuRef, anchor, onClose]);
}

/** The item a key moves to: arrows (wrapping), Home, End, or the next one starting with a typed letter. */
function itemFor(key: string, items: HTMLElement[], current: number): number | undefined {
  if (key === 'ArrowDown') return (current + 1) % items.length;
  if (key === 'ArrowUp') return (current - 1 + items.length) % items.length;
  if (key === 'Home') return 0;
  if (key === 'End') return items.length - 1;
  if (key.length !== 1 || !/\S/.test(key)) return undefined;
  const lower = key.toLowerCase();
  const hit = items.slice(current + 1).concat(items.slice(0, current + 1)).find((el) => el.textContent?.trim().toLowerCase().startsWith(lower));
  return hit ? items.indexOf(hit) : undefined;
}

/**
 * A menu of actions (WAI-ARIA menu pattern) anchored to a button or to a point (right-click): arrows, Home and
 * End move between items, Enter or Space chooses, Esc and Tab close it and focus goes back to the button. It is
 * rendered in <body> with fixed positioning so scrolling lists and transformed rows cannot clip it.
 */
export function Menu({
  items,
  anchor,
  point,
  label,
  onClose,
}: {
  items: MenuItem[];
  anchor: RefObject<HTMLElement | null>;
  /** Open at this viewport point (a right-click) instead of under the anchor. */
  point?: { x: number; y: number } | undefined;
  label: string;
  onClose: (returnFocus: boolean) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const position = useMenuPosition(ref, anchor, point);
  useDismiss(ref, anchor, onClose);

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      if (e.key === 'Escape') e.stopPropagation();
      onClose(true);
      return;
    }
    const all = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const next = itemFor(e.key, all, all.indexOf(document.activeElement as HTMLElement));
    if (next === undefined) return;
    e.preventDefault();
    all[next]?.focus();
  }

  return createPortal(
    <div
      ref={ref}
      className="menu"
      role="menu"
      aria-label={label}
      onKeyDown={onKeyDown}
      style={position ? { top: position.top, left: position.left } : { visibility: 'hidden', top: 0, left: 0 }}
    >
      {items.map((item) => (
        <button
          key={item.id}
          type="button"
          role="menuitem"
          tabIndex={-1}
          className={`menu-item${item.danger ? ' menu-item-danger' : ''}`}
          onClick={() => {
            onClose(true);
            item.onSelect();
          }}
        >
          {item.icon ? <Icon name={item.icon} size={18} /> : <span className="menu-item-spacer" />}
          <span>{item.label}</span>
        </button>
      ))}
    </div>,
    document.body,
  );
}

/** A button that opens a menu; `aria-expanded` and `aria-haspopup` tell assistive technology what it does. */
export function MenuButton({
  label,
  items,
  className,
  children,
  tabIndex,
}: {
  label: string;
  items: MenuItem[];
  className?: string;
  children: ReactNode;
  tabIndex?: number;
}) {
  const button = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        ref={button}
        type="button"
        className={className ?? 'icon-btn'}
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        tabIndex={tabIndex}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        {children}
      </button>
      {open && (
        <Menu
          items={items}
          anchor={button}
          label={label}
          onClose={(returnFocus) => {
            setOpen(false);
            if (returnFocus) button.current?.focus();
          }}
        />
      )}
    </>
  );
}
