import type { User } from '@hearth/client';
import { useTranslation } from 'react-i18next';
import { Avatar } from '../../ui/Avatar.js';

/** One suggestion of the composer's autocomplete. */
export type Option = { kind: 'user'; user: User } | { kind: 'all' } | { kind: 'emoji'; code: string; emoji: string };

function OptionContent({ option }: { option: Option }) {
  const { t } = useTranslation();
  switch (option.kind) {
    case 'user':
      return (
        <>
          <Avatar id={option.user.id} name={option.user.displayName} size={24} />
          <span className="autocomplete-name">{option.user.displayName}</span>
          <span className="muted">@{option.user.username}</span>
        </>
      );
    case 'all':
      return (
        <>
          <span className="autocomplete-all" aria-hidden="true">@</span>
          <span className="autocomplete-name">@all</span>
          <span className="muted">{t('conversation.mentionAll')}</span>
        </>
      );
    case 'emoji':
      return (
        <>
          <span className="autocomplete-emoji" aria-hidden="true">
            {option.emoji}
          </span>
          <span className="autocomplete-name">:{option.code}:</span>
        </>
      );
  }
}

/**
 * The suggestions under the composer (a listbox the textarea controls as a combobox): the option with `active`
 * is the one Enter or Tab picks; a click picks any, without taking the focus from the textarea.
 */
export function Autocomplete({
  id,
  label,
  options,
  active,
  onActive,
  onChoose,
}: {
  id: string;
  label: string;
  options: Option[];
  active: number;
  onActive: (index: number) => void;
  onChoose: (option: Option) => void;
}) {
  return (
    <ul className="autocomplete" role="listbox" id={id} aria-label={label}>
      {options.map((o, i) => (
        <li
          key={o.kind === 'user' ? o.user.id : o.kind === 'emoji' ? o.code : 'all'}
          id={`${id}-opt-${i}`}
          role="option"
          aria-selected={i === active}
          className={`autocomplete-item${i === active ? ' active' : ''}`}
          onMouseDown={(e) => {
            e.preventDefault();
            onChoose(o);
          }}
          onMouseEnter={() => onActive(i)}
        >
          <OptionContent option={o} />
        </li>
      ))}
    </ul>
  );
}
