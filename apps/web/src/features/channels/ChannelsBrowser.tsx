import type { ChannelSummary } from '@hearth/client';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../app/errors.js';
import { useClient, useClientEvent } from '../../app/client.js';
import { navigate } from '../../app/router.js';
import { ScreenHeader } from '../shell/ScreenHeader.js';
import { openDialog } from '../shell/dialogs.js';
import { Icon } from '../sidebar/icons.js';
import './channels.css';

/** The public channels matching a query (debounced), reloaded when a channel is joined or left anywhere. */
function useChannelDirectory(query: string): { channels: ChannelSummary[] | null; error: string | null; setError: (error: string) => void } {
  const client = useClient();
  const errorText = useErrorText();
  const [channels, setChannels] = useState<ChannelSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(
      () => {
        client.conversations.browseChannels(query.trim()).then(
          (list) => {
            if (!live) return;
            setChannels(list);
            setError(null);
          },
          (err: unknown) => live && setError(errorText(err)),
        );
      },
      query ? 200 : 0,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, query, reload, errorText]);
  // A channel created or joined elsewhere (another device, the create dialog) shows up at once.
  useClientEvent('conversation.joined', () => setReload((n) => n + 1));
  useClientEvent('conversation.left', () => setReload((n) => n + 1));
  return { channels, error, setError };
}

/** One channel: its title, topic and size, and buttons to preview and join it (or open it, once joined). */
function ChannelCard({ channel, joining, onJoin }: { channel: ChannelSummary; joining: boolean; onJoin: () => void }) {
  const { t, i18n } = useTranslation();
  const client = useClient();
  const joined = channel.joined || Boolean(client.conversations.get(channel.id));
  const count = new Intl.NumberFormat(i18n.language).format(channel.memberCount);
  return (
    <li className="channel-card">
      <span className="channel-icon" aria-hidden="true">
        <Icon name="hash" size={20} />
      </span>
      <div className="channel-info">
        <h3 className="channel-title">
          <bdi>{channel.title}</bdi>
        </h3>
        {channel.topic && (
          <p className="channel-topic">
            <bdi>{channel.topic}</bdi>
          </p>
        )}
        <p className="channel-meta">
          <Icon name="users" size={14} />
          <span>{t('channels.members', { count: channel.memberCount, formatted: count })}</span>
          {joined && (
            <span className="channel-joined">
              <Icon name="check" size={14} />
              {t('channels.joined')}
            </span>
          )}
        </p>
      </div>
      {!joined && (
        // Reading before joining: the channel's screen shows its history with a Join button.
        <button type="button" className="btn" aria-label={t('channels.previewNamed', { name: channel.title })} onClick={() => navigate({ name: 'conversation', id: channel.id })}>
          {t('channels.preview')}
        </button>
      )}
      <button
        type="button"
        className={`btn${joined ? '' : ' btn-primary'}`}
        disabled={joining}
        aria-label={joined ? t('channels.openNamed', { name: channel.title }) : t('channels.joinNamed', { name: channel.title })}
        onClick={onJoin}
      >
        {joined ? t('channels.open') : t('channels.join')}
      </button>
    </li>
  );
}

/** The directory of public channels: search, see who is in them, join or open. */
export function ChannelsBrowser() {
  const { t } = useTranslation();
  const client = useClient();
  const errorText = useErrorText();
  const [query, setQuery] = useState('');
  const { channels, error, setError } = useChannelDirectory(query);
  const [joining, setJoining] = useState<string | null>(null);

  async function join(channel: ChannelSummary) {
    if (channel.joined || client.conversations.get(channel.id)) return navigate({ name: 'conversation', id: channel.id });
    setJoining(channel.id);
    try {
      await client.conversations.join(channel.id);
      navigate({ name: 'conversation', id: channel.id });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setJoining(null);
    }
  }

  return (
    <section className="screen" aria-labelledby="channels-heading">
      <ScreenHeader id="channels-heading" title={t('channels.title')}>
        <button type="button" className="btn btn-primary" aria-label={t('channels.createButton')} onClick={() => openDialog('channel')}>
          <Icon name="plus" size={18} />
          <span className="hide-narrow">{t('channels.createButton')}</span>
        </button>
      </ScreenHeader>
      <div className="screen-body">
        <div className="screen-content">
          <div className="search-box channels-search">
            <Icon name="search" size={16} />
            <input
              type="search"
              aria-label={t('channels.search')}
              placeholder={t('channels.searchPlaceholder')}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </div>
          <p className="channels-count muted" role="status">
            {error ?? (channels === null ? t('common.loading') : channels.length === 0 ? (query.trim() ? t('channels.noMatch', { query: query.trim() }) : t('channels.none')) : t('channels.count', { count: channels.length }))}
          </p>
          {channels && channels.length > 0 && (
            <ul className="channel-list">
              {channels.map((ch) => (
                <ChannelCard key={ch.id} channel={ch} joining={joining === ch.id} onJoin={() => void join(ch)} />
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
