// <parley-dialog heading="...">: a modal <dialog> with a heading and a close button; focus is
// trapped by the browser's modal dialog. Fires `parley-close` when dismissed.
import { LitElement, css, html } from 'lit';
import { icon } from '../styles/icons.js';
import { base } from '../styles/theme.js';
import { t } from '../i18n/en.js';

export class ParleyDialog extends LitElement {
  static override properties = { heading: {} };
  declare heading: string;

  constructor() {
    super();
    this.heading = '';
  }

  static override styles = [
    base,
    css`
      dialog {
        border: 1px solid var(--parley-border);
        border-radius: 14px;
        background: var(--parley-bg);
        color: var(--parley-text);
        box-shadow: var(--parley-shadow);
        padding: 0;
        width: min(460px, calc(100vw - 24px));
        max-height: calc(100vh - 48px);
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.45);
      }
      header {
        display: flex;
        align-items: center;
        padding: 0.6em 0.9em;
        border-bottom: 1px solid var(--parley-border);
      }
      h2 {
        flex: 1;
        margin: 0;
        font-size: 1.1em;
      }
      .content {
        padding: 0.9em;
      }
    `,
  ];

  override firstUpdated(): void {
    this.renderRoot.querySelector('dialog')!.showModal();
  }

  override render() {
    return html`<dialog aria-labelledby="h" @close=${this.closed} @cancel=${this.closed}>
      <header><h2 id="h">${this.heading}</h2><button class="icon" aria-label=${t.close} @click=${this.closed}>${icon('close')}</button></header>
      <div class="content"><slot></slot></div>
    </dialog>`;
  }

  private closed = (e?: Event): void => {
    e?.preventDefault();
    this.dispatchEvent(new CustomEvent('parley-close', { bubbles: true, composed: true }));
  };
}
customElements.define('parley-dialog', ParleyDialog);

declare global {
  interface HTMLElementTagNameMap {
    'parley-dialog': ParleyDialog;
  }
}
