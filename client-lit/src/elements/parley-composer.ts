// <parley-composer>: Enter sends, Shift+Enter adds a line, empty messages are refused; a markdown
// subset becomes formatted_body; replies and edits; files and images with a preview before
// sending and an upload progress bar; typing notifications.
// Fires `parley-message-sent` after handing a message to the client.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { MatrixClient } from '../matrix/client.js';
import type { Room } from '../matrix/room.js';
import { markdownToHtml } from '../matrix/markdown.js';
import { TypingController } from '../controllers/typing-controller.js';
import { icon } from '../styles/icons.js';
import { base } from '../styles/theme.js';
import { formatSize } from '../format.js';
import { t } from '../i18n/en.js';

interface Attachment {
  file: File;
  previewUrl?: string;
  dims?: { w: number; h: number };
  progress?: number;
  error?: string;
  abort?: () => void;
}

export class ParleyComposer extends LitElement {
  static override properties = {
    client: { attribute: false },
    room: { attribute: false },
    threadRoot: { attribute: false },
    replyTo: { state: true },
    editing: { state: true },
    attachment: { state: true },
  };
  declare client?: MatrixClient;
  declare room?: Room;
  /** Messages go to this thread (its root event id). */
  declare threadRoot?: string;
  declare replyTo?: string;
  declare editing?: string;
  declare attachment?: Attachment;

  private readonly typing = new TypingController(this, (typing) => this.client && this.room && this.client.setTyping(this.room.roomId, typing));

  static override styles = [
    base,
    css`
      :host {
        display: block;
        border-top: 1px solid var(--parley-border);
        padding: 0.5em 0.75em calc(0.5em + env(safe-area-inset-bottom));
        background: var(--parley-bg);
      }
      .banner {
        display: flex;
        align-items: center;
        gap: 0.5em;
        font-size: 0.88em;
        padding: 0.25em 0.4em 0.45em;
      }
      .banner span {
        flex: 1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .row {
        display: flex;
        gap: 0.4em;
        align-items: flex-end;
      }
      textarea {
        flex: 1;
        resize: none;
        max-height: 40vh;
        line-height: 1.4;
        min-height: 40px;
        border-radius: 20px;
        padding: 0.5em 0.9em;
      }
      .send {
        border-radius: 20px;
        min-height: 40px;
      }
      .attach {
        min-height: 40px;
      }
      .preview {
        display: flex;
        gap: 0.7em;
        align-items: center;
        padding: 0.4em;
        margin-bottom: 0.4em;
        border: 1px solid var(--parley-border);
        border-radius: 10px;
        flex-wrap: wrap;
      }
      .preview img {
        max-width: 120px;
        max-height: 90px;
        border-radius: 6px;
      }
      .preview .info {
        flex: 1;
        min-width: 120px;
        display: grid;
        gap: 0.3em;
      }
      progress {
        width: 100%;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('room') && changed.get('room') !== undefined) || (changed.has('threadRoot') && changed.get('threadRoot') !== undefined)) {
      this.typing.stop();
      this.replyTo = undefined;
      this.editing = undefined;
      this.clearAttachment();
      const ta = this.textarea;
      if (ta) ta.value = '';
    }
  }

  private get textarea(): HTMLTextAreaElement | null {
    return this.renderRoot?.querySelector?.('textarea') ?? null;
  }

  override focus(): void {
    this.textarea?.focus();
  }

  /** Starts a reply to an event (called by the room view on `parley-reply`). */
  reply(eventId: string): void {
    this.editing = undefined;
    this.replyTo = eventId;
    this.focus();
  }

  edit(eventId: string): void {
    const e = this.room?.event(eventId);
    if (!e || !this.room) return;
    this.replyTo = undefined;
    this.editing = eventId;
    const ta = this.textarea;
    if (ta) {
      ta.value = String(this.room.displayContent(e).content.body ?? '');
      this.autosize();
      ta.focus();
    }
  }

  override render() {
    const room = this.room;
    if (!room) return nothing;
    const replied = this.replyTo ? room.event(this.replyTo) : undefined;
    const a = this.attachment;
    return html`
      ${replied
        ? html`<div class="banner">
            <span>${t.replyingTo(room.displayName(replied.sender))}: <span class="muted">${String(replied.content.body ?? '')}</span></span>
            <button @click=${() => (this.replyTo = undefined)}>${t.cancelReply}</button>
          </div>`
        : nothing}
      ${this.editing
        ? html`<div class="banner"><span>${t.editing}</span><button @click=${this.cancelEdit}>${t.cancelReply}</button></div>`
        : nothing}
      ${a
        ? html`<div class="preview" role="group" aria-label=${t.sendFile}>
            ${a.previewUrl ? html`<img src=${a.previewUrl} alt="" />` : html`<span aria-hidden="true">📎</span>`}
            <div class="info">
              <strong>${a.file.name}</strong>
              <span class="muted">${formatSize(a.file.size)}</span>
              ${a.progress !== undefined ? html`<progress max="1" .value=${a.progress} aria-label=${t.uploading(a.file.name)}></progress>` : nothing}
              ${a.error ? html`<span class="error" role="alert">${t.uploadFailed}: ${a.error}</span>` : nothing}
            </div>
            <button class="primary" @click=${this.sendAttachment} ?disabled=${a.progress !== undefined && !a.error}>${t.sendFile}</button>
            <button @click=${this.clearAttachment}>${t.cancel}</button>
          </div>`
        : nothing}
      <div class="row">
        <input type="file" class="visually-hidden" id="file" tabindex="-1" aria-hidden="true" @change=${this.pickFile} />
        <button class="icon attach" aria-label=${t.attach} title=${t.attach} @click=${() => this.renderRoot.querySelector<HTMLInputElement>('#file')!.click()}>${icon('attach')}</button>
        <label class="visually-hidden" for="message">${this.threadRoot ? t.threadMessageLabel : t.messageLabel}</label>
        <textarea id="message" rows="1" placeholder=${this.threadRoot ? t.threadPlaceholder : t.messagePlaceholder} @keydown=${this.onKey} @input=${this.onInput} @blur=${() => this.typing.stop()} @paste=${this.onPaste}></textarea>
        <button class="primary send" @click=${this.send} aria-label=${t.send}>${t.send}</button>
      </div>
    `;
  }

  private onInput(): void {
    this.autosize();
    this.typing.input(!this.textarea?.value.trim());
  }

  private autosize(): void {
    const ta = this.textarea;
    if (!ta) return;
    ta.style.height = 'auto';
    ta.style.height = `${ta.scrollHeight + 2}px`;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.send();
    } else if (e.key === 'ArrowUp' && !this.textarea?.value && this.room && this.client) {
      const pool = this.threadRoot ? this.room.threadEvents(this.threadRoot) : this.room.events;
      const mine = [...pool]
        .reverse()
        .find(
          (ev) =>
            ev.sender === this.client!.userId &&
            ev.type === 'm.room.message' &&
            !this.room!.isRedacted(ev) &&
            (!ev.content['m.relates_to']?.rel_type || (this.threadRoot && ev.content['m.relates_to'].rel_type === 'm.thread')),
        );
      if (mine) {
        e.preventDefault();
        this.edit(mine.event_id);
      }
    } else if (e.key === 'Escape' && (this.editing || this.replyTo)) {
      e.stopPropagation();
      this.cancelEdit();
      this.replyTo = undefined;
    }
  }

  private cancelEdit = (): void => {
    this.editing = undefined;
    const ta = this.textarea;
    if (ta) ta.value = '';
    this.autosize();
  };

  private send = (): void => {
    const ta = this.textarea;
    if (!ta || !this.client || !this.room) return;
    if (this.attachment && !this.attachment.progress) return this.sendAttachment();
    const body = ta.value.trim();
    if (!body) return;
    const formatted = markdownToHtml(body);
    if (this.editing) {
      void this.client.edit(this.room.roomId, this.editing, body, formatted);
      this.editing = undefined;
    } else {
      this.client.sendText(this.room.roomId, body, formatted, this.replyTo, this.threadRoot);
      this.replyTo = undefined;
    }
    ta.value = '';
    this.autosize();
    this.typing.stop();
    ta.focus();
    this.dispatchEvent(new CustomEvent('parley-message-sent', { bubbles: true, composed: true }));
  };

  private onPaste(e: ClipboardEvent): void {
    const file = [...(e.clipboardData?.files ?? [])][0];
    if (file) {
      e.preventDefault();
      void this.attach(file);
    }
  }

  private pickFile(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void this.attach(file);
  }

  async attach(file: File): Promise<void> {
    this.clearAttachment();
    const a: Attachment = { file };
    if (file.type.startsWith('image/')) {
      a.previewUrl = URL.createObjectURL(file);
      a.dims = await new Promise((resolve) => {
        const img = new Image();
        img.onload = () => resolve({ w: img.naturalWidth, h: img.naturalHeight });
        img.onerror = () => resolve(undefined);
        img.src = a.previewUrl!;
      });
    }
    this.attachment = a;
  }

  private clearAttachment = (): void => {
    this.attachment?.abort?.();
    if (this.attachment?.previewUrl) URL.revokeObjectURL(this.attachment.previewUrl);
    this.attachment = undefined;
  };

  private sendAttachment = (): void => {
    const a = this.attachment;
    if (!a || !this.client || !this.room) return;
    const handle = this.client.sendFile(this.room.roomId, a.file, (p) => this.attachment && (this.attachment = { ...this.attachment, progress: p }), a.dims, this.threadRoot);
    this.attachment = { ...a, progress: 0, abort: handle.abort, error: undefined };
    handle.promise.then(
      () => {
        if (a.previewUrl) URL.revokeObjectURL(a.previewUrl);
        this.attachment = undefined;
      },
      (err: Error) => (this.attachment = { ...a, progress: undefined, error: err.message }),
    );
  };
}
customElements.define('parley-composer', ParleyComposer);

declare global {
  interface HTMLElementTagNameMap {
    'parley-composer': ParleyComposer;
  }
}
