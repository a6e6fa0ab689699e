import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { MANY_SIGNUPS } from '../../../../packages/server/test/support/fixtures.js';
import type { TestServer } from '../../../../packages/server/test/support/server.js';
import { screenshot, startWebServer } from '../support/browser.js';
import { call } from '../../../../packages/server/test/support/raw.js';
import { pdf, png, sendMedia, uploadAs, webmTone, webmVideo } from '../support/media.js';
import { createConversation, deviceToken, personInBrowser, poll, sendText, shellServerAndBrowser, userId, type Person } from '../support/people.js';

/*
 * Media in the web app, two people in their own browsers against a real server: attaching by paste, drop and the
 * button, seeing the files on the other side (thumbnails, the lightbox, video, voice, file cards), and the errors.
 */

const suite = shellServerAndBrowser();
const people: Person[] = [];
let image: Buffer;

beforeAll(async () => {
  image = await png(640, 480);
});

afterEach(async (ctx) => {
  const failed = ctx.task.result?.state === 'fail';
  for (const [i, p] of people.splice(0).entries()) {
    if (failed) await screenshot(p.page, `failed-media-${ctx.task.name.slice(0, 30).replace(/\W+/g, '-')}-${i}`).catch(() => undefined);
    await p.context.close().catch(() => undefined);
  }
});

/** Ana and Ben in their browsers, their direct conversation open on both pages. */
async function pair(): Promise<{ ana: Person; ben: Person; conversationId: string }> {
  const ana = await personInBrowser(suite.browser, suite.server, 'ana');
  const ben = await personInBrowser(suite.browser, suite.server, 'ben');
  people.push(ana, ben);
  const benToken = await deviceToken(suite.server, ben.username);
  const conversationId = await createConversation(suite.server, benToken, { kind: 'direct', userId: await userId(suite.server, await deviceToken(suite.server, ana.username)) });
  await sendText(suite.server, benToken, conversationId, 'send me the pictures');
  for (const p of [ana, ben]) {
    await p.page.goto(`/c/${conversationId}`);
    await p.page.getByRole('article').filter({ hasText: 'send me the pictures' }).waitFor();
  }
  return { ana, ben, conversationId };
}

type FileSpec = { name: string; type: string; base64: string };
const spec = (name: string, type: string, bytes: Buffer): FileSpec => ({ name, type, base64: bytes.toString('base64') });

/** Pastes files into the composer, as a screenshot pasted from the clipboard would arrive. */
async function paste(page: Page, files: FileSpec[]): Promise<void> {
  await page.evaluate((list) => {
    const data = new DataTransfer();
    for (const f of list) data.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    const area = document.querySelector<HTMLTextAreaElement>('.composer-input')!;
    area.focus();
    area.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, files);
}

/** Drags files over the conversation and drops them there. */
async function drop(page: Page, files: FileSpec[]): Promise<void> {
  await page.evaluate((list) => {
    const data = new DataTransfer();
    for (const f of list) data.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    const target = document.querySelector('.message-list, .conv')!;
    for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  }, files);
}

/** Attaches files with the composer's paperclip. */
async function attach(page: Page, files: Array<{ name: string; mimeType: string; buffer: Buffer }>): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles(files);
}

/** Waits for every file in the tray to finish uploading, then sends. */
async function sendTray(page: Page, count: number): Promise<void> {
  await poll(() => page.locator('.tray-item[data-state="done"]').count(), 20_000).toBe(count);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('.tray-item').first().waitFor({ state: 'detached' });
}

/** Whether an <img> has loaded (a broken or missing image has no natural width). */
function loaded(page: Page, selector: string) {
  return page.locator(selector).evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
}

test('an image pasted into the composer arrives on the other side as a thumbnail, with its caption', async () => {
  const { ana, ben } = await pair();
  await paste(ana.page, [spec('pasted.png', 'image/png', image)]);
  await ana.page.locator('.tray-item img').waitFor();
  await ana.page.locator('.composer-input').fill('the venue');
  await sendTray(ana.page, 1);
  const row = ben.page.getByRole('article').filter({ hasText: 'the venue' });
  await row.locator('.media-image img').waitFor();
  expect(await row.locator('.media-image img').getAttribute('src')).toMatch(/\/api\/files\/[0-9a-f-]+\/thumbnail$/);
  await poll(() => loaded(ben.page, '.media-image img')).toEqual([true]);
  // The list says what arrived.
  await poll(() => ben.page.getByRole('navigation', { name: /conversations/i }).getByText('Photo: the venue').count()).toBe(1);
});

test('a media message’s caption can be edited, and the other side sees the new one with the same files', async () => {
  const { ana, ben } = await pair();
  await paste(ana.page, [spec('caption.png', 'image/png', image)]);
  await ana.page.locator('.composer-input').fill('first caption');
  await sendTray(ana.page, 1);
  const mine = ana.page.getByRole('article').filter({ hasText: 'first caption' });
  await mine.locator('.media-image').waitFor();
  await mine.hover();
  await mine.getByRole('button', { name: 'Edit', exact: true }).click();
  await poll(() => ana.page.locator('.composer-input').inputValue()).toBe('first caption');
  await ana.page.locator('.composer-input').fill('better caption');
  await ana.page.keyboard.press('Enter');
  const theirs = ben.page.getByRole('article').filter({ hasText: 'better caption' });
  await theirs.waitFor();
  expect(await theirs.getByRole('button', { name: 'Open caption.png' }).count()).toBe(1);
});

test('images dropped on the conversation arrive together, and the lightbox goes through them and closes with Escape', async () => {
  const { ana, ben } = await pair();
  await drop(ana.page, [spec('first.png', 'image/png', image), spec('second.png', 'image/png', await png(300, 500, '#157f3b'))]);
  await sendTray(ana.page, 2);
  const first = ben.page.getByRole('button', { name: 'Open first.png' });
  await first.waitFor();
  // The size was reserved from the attachment's dimensions before the image loaded.
  const box = await first.boundingBox();
  expect(Math.round((box!.width / box!.height) * 100) / 100).toBeCloseTo(640 / 480, 1);
  await first.click();
  const lightbox = ben.page.getByRole('dialog', { name: 'first.png, image 1 of 2' });
  await lightbox.waitFor();
  await ben.page.keyboard.press('ArrowRight');
  await ben.page.getByRole('dialog', { name: 'second.png, image 2 of 2' }).waitFor();
  await expect.poll(() => loaded(ben.page, '.lightbox-image')).toEqual([true]);
  await ben.page.keyboard.press('ArrowRight');
  await lightbox.waitFor();
  await ben.page.keyboard.press('Escape');
  await ben.page.locator('.lightbox').waitFor({ state: 'detached' });
  expect(await first.evaluate((el) => el === document.activeElement)).toBe(true);
});

test('a video plays in the native player and seeks', async () => {
  const { ana, ben } = await pair();
  await attach(ana.page, [{ name: 'clip.webm', mimeType: 'video/webm', buffer: webmVideo(4) }]);
  await sendTray(ana.page, 1);
  const video = ben.page.locator('video.media-video');
  await video.waitFor();
  const seeked = await video.evaluate(async (el: HTMLVideoElement) => {
    el.muted = true;
    await el.play();
    await new Promise((resolve) => el.addEventListener('timeupdate', resolve, { once: true }));
    el.pause();
    el.currentTime = 2.5;
    await new Promise((resolve) => el.addEventListener('seeked', resolve, { once: true }));
    return el.currentTime;
  });
  expect(seeked).toBeCloseTo(2.5, 0);
});

test('a voice message recorded with the microphone arrives with its duration and plays', async () => {
  const { ana, ben } = await pair();
  await ana.page.getByRole('button', { name: 'Record a voice message' }).click();
  await ana.page.getByText('Recording…').waitFor();
  await ana.page.waitForTimeout(2200);
  await ana.page.getByRole('button', { name: 'Send the voice message' }).click();
  const voice = ben.page.getByRole('group', { name: /^Voice message \(0:0[2-3]\)$/ });
  await voice.waitFor({ timeout: 20_000 });
  // The waveform measured in Ana's page travelled with the file.
  expect(await voice.locator('.voice-bar').count()).toBeGreaterThan(0);
  await voice.getByRole('button', { name: 'Play', exact: true }).click();
  await poll(() => voice.locator('audio').evaluate((a: HTMLAudioElement) => a.currentTime)).toBeGreaterThan(0.2);
  await voice.getByRole('button', { name: 'Playback speed 1×' }).click();
  expect(await voice.locator('audio').evaluate((a: HTMLAudioElement) => a.playbackRate)).toBe(1.5);
});

test('a document arrives as a card that downloads under its name', async () => {
  const { ana, ben } = await pair();
  await attach(ana.page, [{ name: 'notes.pdf', mimeType: 'application/pdf', buffer: pdf() }]);
  await sendTray(ana.page, 1);
  const link = ben.page.getByRole('link', { name: 'Download notes.pdf' });
  await link.waitFor();
  const [download] = await Promise.all([ben.page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('notes.pdf');
});

test('the Files panel lists the conversation’s files and filters them by kind', async () => {
  const { ana, ben } = await pair();
  await attach(ana.page, [
    { name: 'notes.pdf', mimeType: 'application/pdf', buffer: pdf() },
    { name: 'photo.png', mimeType: 'image/png', buffer: image },
  ]);
  await sendTray(ana.page, 2);
  await ben.page.getByRole('button', { name: 'Open photo.png' }).waitFor();
  await ben.page.getByRole('button', { name: 'Files', exact: true }).click();
  const panel = ben.page.locator('#files-panel');
  await poll(() => panel.locator('.files-row').count()).toBe(2);
  await panel.getByLabel('Show').selectOption('image');
  await poll(() => panel.locator('.files-row').allTextContents()).toEqual([expect.stringContaining('photo.png')]);
});

test('a voice message says what it is in the list and in the quote of a reply to it', async () => {
  const { ana, ben, conversationId } = await pair();
  const anaToken = await deviceToken(suite.server, ana.username);
  const voice = await uploadAs(suite.server, anaToken, conversationId, webmTone(2), 'voice.webm', { voice: { durationMs: 2000, waveform: [0.2, 1, 0.5] } });
  const voiceId = await sendMedia(suite.server, anaToken, conversationId, [voice]);
  await poll(() => ben.page.getByRole('navigation', { name: /conversations/i }).getByText('Voice message (0:02)').count()).toBe(1);
  const res = await call(suite.server.url, 'sendMessage', {
    token: await deviceToken(suite.server, ben.username),
    params: { conversationId },
    body: { clientId: 'reply-to-voice', content: { type: 'text', text: 'lovely voice', entities: [] }, replyToId: voiceId },
  });
  expect(res.status).toBe(200);
  const reply = ana.page.getByRole('article').filter({ hasText: 'lovely voice' });
  await reply.locator('.reply-quote').getByText('Voice message (0:02)').waitFor();
});

describe('on a server that accepts only images, up to 200 kB', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startWebServer('sqlite', { ...MANY_SIGNUPS, files: { allowedTypes: ['image/*'], maxUploadBytes: 200_000 } });
  });
  afterAll(async () => server?.close());

  async function alone(): Promise<Person> {
    const ana = await personInBrowser(suite.browser, server, 'ana');
    people.push(ana);
    const token = await deviceToken(server, ana.username);
    const id = await createConversation(server, token, { kind: 'group', title: 'Only photos', memberIds: [] });
    await ana.page.goto(`/c/${id}`);
    await ana.page.locator('.composer-input').waitFor();
    return ana;
  }

  test('a file of a type the server announced it refuses is refused at once, with the reason, and cannot be sent', async () => {
    const ana = await alone();
    await attach(ana.page, [{ name: 'notes.pdf', mimeType: 'application/pdf', buffer: pdf() }]);
    await ana.page.getByRole('alert').filter({ hasText: 'This type of file cannot be sent here.' }).waitFor();
    expect(await ana.page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    await ana.page.getByRole('button', { name: 'Remove notes.pdf' }).click();
    await ana.page.locator('.tray-item').waitFor({ state: 'detached' });
  });

  test('a file larger than the server announced is refused at once, saying how large a file may be', async () => {
    const ana = await alone();
    await attach(ana.page, [{ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(300_000, 1) }]);
    await ana.page.getByRole('alert').filter({ hasText: 'This file is larger than the 200 kB this server accepts.' }).waitFor();
  });

  test('a file that claims no type is refused by the server from its bytes, with the reason', async () => {
    const ana = await alone();
    await attach(ana.page, [{ name: 'mystery', mimeType: '', buffer: pdf() }]);
    await ana.page.getByRole('alert').filter({ hasText: 'This type of file cannot be sent here.' }).waitFor();
    expect(await ana.page.locator('.tray-item').getAttribute('data-state')).toBe('failed');
  });
});
