import { Avatar } from '../../ui/Avatar.js';
import { Icon } from './icons.js';
import './dialogs.css';

/** One chosen item of a multi-pick dialog: what to show, and the avatar's id (the person, or the conversation). */
export interface Picked {
  key: string;
  name: string;
  avatarId: string;
}

/**
 * What a multi-pick dialog has chosen so far (the new group's members, a forward's targets), as chips with a button
 * to take each one out. Renders nothing while nothing is chosen.
 */
export function PickedList({ items, label, removeLabel, onRemove }: { items: readonly Picked[]; label: string; removeLabel: (name: string) => string; onRemove: (key: string) => void }) {
  if (items.length === 0) return null;
  return (
    <ul className="picked" aria-label={label}>
      {items.map((item) => (
        <li key={item.key} className="picked-chip">
          <Avatar id={item.avatarId} name={item.name} size={22} />
          <bdi>{item.name}</bdi>
          <button type="button" className="picked-remove" aria-label={removeLabel(item.name)} onClick={() => onRemove(item.key)}>
            <Icon name="close" size={14} />
          </button>
        </li>
      ))}
    </ul>
  );
}
