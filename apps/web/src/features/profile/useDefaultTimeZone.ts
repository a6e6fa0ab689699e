import { useEffect } from 'react';
import { useClient } from '../../app/client.js';
import { useClientState } from '../../app/store.js';

/**
 * Gives a person who has no time zone yet this browser's (once per page load): others then see their local time.
 * Someone who clears it in settings gets it back on their next visit; a zone the server does not know is left unset.
 */
export function useDefaultTimeZone(): void {
  const client = useClient();
  const missing = useClientState((c) => c.connectionState === 'online' && c.users.me !== undefined && c.users.me.timeZone === undefined);
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (missing && zone) void client.users.updateMe({ timeZone: zone }).catch(() => undefined);
  }, [client, missing]);
}
