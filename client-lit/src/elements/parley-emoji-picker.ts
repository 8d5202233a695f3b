// <parley-emoji-picker>: a small grid of emoji. Fires `parley-emoji` with {key}. Arrow keys move,
// Enter picks, Escape fires `parley-close`.
import { LitElement, css, html } from 'lit';
import { base } from '../styles/theme.js';

const EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀', '🔥', '✅', '👎', '🤔', '😊', '🚀', '💯', '👏'];

export class ParleyEmojiPicker extends LitElement {
  static override styles = [
    base,
    css`
      :host {
        display: block;
        background: var(--parley-bg);
        border: 1px solid var(--parley-border);
        border-radius: var(--parley-radius);
        box-shadow: var(--parley-shadow);
        padding: 6px;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(8, 36px);
        gap: 2px;
      }
      button {
        border: none;
        background: transparent;
        font-size: 20px;
        padding: 0;
        min-height: 36px;
      }
    `,
  ];

  override render() {
    return html`<div class="grid" role="menu" aria-label="Emoji" @keydown=${this.onKey}>
      ${EMOJI.map((key, i) => html`<button role="menuitem" tabindex=${i === 0 ? 0 : -1} aria-label=${key} @click=${() => this.pick(key)}>${key}</button>`)}
    </div>`;
  }

  override focus(): void {
    this.shadowRoot?.querySelector('button')?.focus();
  }

  private pick(key: string): void {
    this.dispatchEvent(new CustomEvent('parley-emoji', { detail: { key }, bubbles: true, composed: true }));
  }

  private onKey(e: KeyboardEvent): void {
    const buttons = [...this.shadowRoot!.querySelectorAll('button')];
    const i = buttons.indexOf(e.composedPath()[0] as HTMLButtonElement);
    const move = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8 }[e.key];
    if (move !== undefined) {
      e.preventDefault();
      const next = buttons[(i + move + buttons.length) % buttons.length];
      buttons.forEach((b) => (b.tabIndex = -1));
      next.tabIndex = 0;
      next.focus();
    } else if (e.key === 'Escape') {
      e.stopPropagation();
      this.dispatchEvent(new CustomEvent('parley-close', { bubbles: true, composed: true }));
    }
  }
}
customElements.define('parley-emoji-picker', ParleyEmojiPicker);

declare global {
  interface HTMLElementTagNameMap {
    'parley-emoji-picker': ParleyEmojiPicker;
  }
}
