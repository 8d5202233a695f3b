// <parley-room-settings>: name, topic and avatar; members with their roles; invite, remove, ban;
// leave. Loaded on demand (not part of the initial bundle). Fires `parley-close`, `parley-left-room`.
import { LitElement, css, html, nothing } from 'lit';
import type { MatrixClient } from '../matrix/client.js';
import type { Room } from '../matrix/room.js';
import { upload } from '../matrix/media.js';
import { ClientController } from '../controllers/client-controller.js';
import { icon } from '../styles/icons.js';
import { base } from '../styles/theme.js';
import { t } from '../i18n/en.js';
import './parley-avatar.js';

export class ParleyRoomSettings extends LitElement {
  static override properties = {
    client: { attribute: false },
    room: { attribute: false },
    message: { state: true },
  };
  declare client?: MatrixClient;
  declare room?: Room;
  declare message: string;
  private readonly clientCtl = new ClientController(this);

  constructor() {
    super();
    this.message = '';
  }

  static override styles = [
    base,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        overflow-y: auto;
      }
      header {
        display: flex;
        align-items: center;
        padding: 0.5em 0.75em;
        border-bottom: 1px solid var(--parley-border);
      }
      h3 {
        flex: 1;
        margin: 0;
        font-size: 1em;
      }
      h4 {
        margin: 0.6em 0 0.3em;
      }
      form,
      section {
        display: grid;
        gap: 0.6em;
        padding: 0.75em;
      }
      label {
        display: grid;
        gap: 0.25em;
        font-weight: 600;
        font-size: 0.9em;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.4em;
      }
      li {
        display: flex;
        align-items: center;
        gap: 0.5em;
        flex-wrap: wrap;
      }
      li .who {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      li button {
        min-height: 30px;
        padding: 0.1em 0.6em;
      }
      .inline {
        display: flex;
        gap: 0.4em;
      }
      .inline input {
        flex: 1;
        min-width: 0;
      }
    `,
  ];

  protected override willUpdate(): void {
    this.clientCtl.use(this.client);
  }

  private roleOf(userId: string): string {
    const pl = this.room!.powerLevel(userId);
    return pl >= 100 ? t.admin : pl >= 50 ? t.moderator : t.member;
  }

  override render() {
    const c = this.client;
    const room = this.room;
    if (!c || !room) return nothing;
    const canState = room.canDo('state');
    const members = room.members('join').concat(room.members('invite'));
    return html`<header>
        <h3>${t.roomSettings}</h3>
        <button class="icon" aria-label=${t.close} @click=${() => this.dispatchEvent(new CustomEvent('parley-close'))}>${icon('close')}</button>
      </header>
      <form @submit=${this.save}>
        <label>${t.name}<input name="name" .value=${room.name ?? ''} ?disabled=${!canState} /></label>
        <label>${t.topic}<textarea name="topic" rows="2" .value=${room.topic ?? ''} ?disabled=${!canState}></textarea></label>
        <label>${t.avatar}<input name="avatar" type="file" accept="image/*" ?disabled=${!canState} /></label>
        ${canState ? html`<button class="primary" type="submit">${t.save}</button>` : nothing}
        <p role="status" class="muted">${this.message}</p>
      </form>
      <section aria-label=${t.members(members.length)}>
        <h4>${t.members(members.length)}</h4>
        <form class="inline" style="padding:0" @submit=${this.invite}>
          <label class="visually-hidden" for="invitee">${t.inviteUser}</label>
          <input id="invitee" name="user" placeholder=${t.inviteUser} ?disabled=${!room.canDo('invite')} />
          <button type="submit" ?disabled=${!room.canDo('invite')}>${t.invite}</button>
        </form>
        <ul>
          ${members.map((u) => {
            const mine = u === c.userId;
            const canModerate = !mine && room.powerLevel(c.userId) > room.powerLevel(u);
            return html`<li>
              <parley-avatar .media=${c.media} name=${room.displayName(u)} user-id=${u} mxc=${room.memberAvatar(u) ?? ''} size="28"></parley-avatar>
              <span class="who">${room.displayName(u)} <span class="muted">${u}</span></span>
              <span class="muted">${this.roleOf(u)}</span>
              ${canModerate && room.canDo('kick') ? html`<button @click=${() => this.act(() => c.kick(room.roomId, u))}>${t.kick}</button>` : nothing}
              ${canModerate && room.canDo('ban') ? html`<button class="danger" @click=${() => this.act(() => c.ban(room.roomId, u))}>${t.ban}</button>` : nothing}
            </li>`;
          })}
        </ul>
      </section>
      <section>
        <button class="danger" @click=${this.leave}>${t.leaveRoom}</button>
      </section>`;
  }

  private async act(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
      this.message = t.saved;
    } catch (err) {
      this.message = (err as Error).message;
    }
  }

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const c = this.client!;
    const room = this.room!;
    const data = new FormData(e.target as HTMLFormElement);
    const name = String(data.get('name') ?? '');
    const topic = String(data.get('topic') ?? '');
    const avatar = data.get('avatar') as File | null;
    await this.act(async () => {
      if (name !== (room.name ?? '')) await c.setRoomState(room.roomId, 'm.room.name', { name });
      if (topic !== (room.topic ?? '')) await c.setRoomState(room.roomId, 'm.room.topic', { topic });
      if (avatar && avatar.size) {
        const url = await upload(c.http, avatar, avatar.name).promise;
        await c.setRoomState(room.roomId, 'm.room.avatar', { url });
      }
    });
  }

  private async invite(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const user = String(new FormData(form).get('user') ?? '').trim();
    if (!user) return;
    await this.act(() => this.client!.invite(this.room!.roomId, user));
    form.reset();
  }

  private async leave(): Promise<void> {
    if (!confirm(t.confirmLeave)) return;
    await this.act(() => this.client!.leave(this.room!.roomId));
    this.dispatchEvent(new CustomEvent('parley-left-room', { bubbles: true, composed: true }));
  }
}
customElements.define('parley-room-settings', ParleyRoomSettings);

declare global {
  interface HTMLElementTagNameMap {
    'parley-room-settings': ParleyRoomSettings;
  }
}
