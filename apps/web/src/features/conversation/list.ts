import type { Virtualizer } from '@tanstack/react-virtual';
import type { RefObject } from 'react';
import type { Row } from './rows.js';

/** What the message list's hooks share: its rows, its virtualiser and its scrolling box. */
export interface ListParts {
  rows: Row[];
  virtualizer: Virtualizer<HTMLDivElement, Element>;
  scrollRef: RefObject<HTMLDivElement | null>;
}
