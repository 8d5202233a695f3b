// Unread count in the tab title, and browser notifications (with a short sound) for messages
// that arrive while the tab is hidden. Both switchable; the choice is remembered.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MatrixClient } from '../matrix/client.js';
import type { Room } from '../matrix/room.js';
import type { MatrixEvent } from '../matrix/types.js';
import { t } from '../i18n/en.js';

const KEY = 'parley.notifications';

export interface NotificationPrefs {
  enabled: boolean;
  sound: boolean;
}

export class NotificationController implements ReactiveController {
  prefs: NotificationPrefs = { enabled: false, sound: true };
  private client?: MatrixClient;
  private audio?: AudioContext;
  private readonly onMessage = (e: Event) => {
    const { room, event } = (e as CustomEvent<{ room: Room; event: MatrixEvent }>).detail;
    this.notify(room, event);
  };
  private readonly onChange = () => this.updateTitle();

  constructor(
    host: ReactiveControllerHost,
    private readonly baseTitle = document.title || t.appName,
  ) {
    host.addController(this);
    try {
      this.prefs = { ...this.prefs, ...JSON.parse(localStorage.getItem(KEY) ?? '{}') };
    } catch {
      /* defaults */
    }
  }

  use(client: MatrixClient | undefined): void {
    if (client === this.client) return;
    this.client?.removeEventListener('message', this.onMessage);
    this.client?.removeEventListener('change', this.onChange);
    this.client = client;
    client?.addEventListener('message', this.onMessage);
    client?.addEventListener('change', this.onChange);
    this.updateTitle();
  }

  async setPrefs(prefs: NotificationPrefs): Promise<void> {
    if (prefs.enabled && 'Notification' in window && Notification.permission === 'default') {
      const answer = await Notification.requestPermission();
      if (answer !== 'granted') prefs = { ...prefs, enabled: false };
    }
    this.prefs = prefs;
    localStorage.setItem(KEY, JSON.stringify(prefs));
  }

  totalUnread(): number {
    if (!this.client) return 0;
    const names = [this.client.myDisplayName(), this.client.userId];
    let n = 0;
    for (const room of this.client.roomList()) n += room.membership === 'invite' ? 1 : room.unread(names).count;
    return n;
  }

  private updateTitle(): void {
    const n = this.totalUnread();
    document.title = n > 0 ? t.titleUnread(n) : this.baseTitle;
  }

  private notify(room: Room, event: MatrixEvent): void {
    if (!this.prefs.enabled || !this.client || document.visibilityState === 'visible') return;
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    const roomName = this.client.roomName(room);
    const n = new Notification(t.newMessageFrom(room.displayName(event.sender), roomName), {
      body: String(event.content.body ?? ''),
      tag: room.roomId,
    });
    n.onclick = () => {
      window.focus();
      location.hash = `#/room/${encodeURIComponent(room.roomId)}`;
    };
    if (this.prefs.sound) this.beep();
  }

  private beep(): void {
    this.audio ??= new AudioContext();
    const osc = this.audio.createOscillator();
    const gain = this.audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, this.audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, this.audio.currentTime + 0.25);
    osc.connect(gain).connect(this.audio.destination);
    osc.start();
    osc.stop(this.audio.currentTime + 0.25);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.use(undefined);
  }
}
