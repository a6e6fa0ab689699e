import { useTranslation } from 'react-i18next';
import { shallowEqual, useClientState } from '../../app/store.js';
import { summariseNames } from './rows.js';

/** "Ana is typing…", "Ana and Ben are typing…", "Ana and 2 others are typing…". */
export function TypingLine({ userIds }: { userIds: string[] }) {
  const { t } = useTranslation();
  const names = useClientState((c) => userIds.map((id) => c.users.cached(id)?.displayName ?? '…'), shallowEqual);
  const text = summariseNames(names, {
    one: (a) => t('conversation.typing.one', { name: a }),
    two: (a, b) => t('conversation.typing.two', { a, b }),
    many: (a, others) => t('conversation.typing.many', { name: a, count: others }),
  });
  return (
    <div className="typing-line" aria-hidden={text ? undefined : true}>
      {text && (
        <>
          <span className="typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          <span>{text}</span>
        </>
      )}
    </div>
  );
}
