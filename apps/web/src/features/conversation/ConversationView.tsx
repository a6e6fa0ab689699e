import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';

// The conversation screen (with Markdown, virtualisation and the composer) is its own chunk, fetched in the
// background as soon as the app is idle, so the initial bundle stays small and opening a chat stays instant.
const load = () => import('./ConversationScreen.js');
const ConversationScreen = lazy(load);
if (typeof window !== 'undefined') {
  const idle = (window as { requestIdleCallback?: (cb: () => void) => void }).requestIdleCallback ?? ((cb: () => void) => setTimeout(cb, 200));
  idle(() => void load());
}

/** One conversation: its messages and the composer. */
export function ConversationView({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  return (
    <Suspense
      fallback={
        <div className="conv-missing" role="status">
          {t('common.loading')}
        </div>
      }
    >
      <ConversationScreen conversationId={conversationId} />
    </Suspense>
  );
}
