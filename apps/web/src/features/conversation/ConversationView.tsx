import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';

// The conversation screen (with Markdown, DOMPurify, virtualisation and the composer) is its own chunk, and the
// largest. It is fetched as soon as a conversation is about to open (a pointer over, a touch on or the focus on a
// link to one), not while the app starts, which it would slow for what may never be used; a conversation opened
// from its address loads it at once.
const load = () => import('./ConversationScreen.js');
const ConversationScreen = lazy(load);
const INTENTS = ['pointerover', 'touchstart', 'focusin'] as const;
function prefetchOnIntent(event: Event): void {
  if (!(event.target instanceof Element) || !event.target.closest('a[href^="/c/"]')) return;
  for (const type of INTENTS) document.removeEventListener(type, prefetchOnIntent, true);
  void load();
}
if (typeof document !== 'undefined') for (const type of INTENTS) document.addEventListener(type, prefetchOnIntent, { capture: true, passive: true });

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
