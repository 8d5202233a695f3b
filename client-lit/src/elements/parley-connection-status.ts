// <parley-connection-status>: a banner while the client is not connected, with a countdown to
// the next attempt and a button to try now. Announced to screen readers.
import { LitElement, css, html, nothing } from 'lit';
import type { MatrixClient } from '../matrix/client.js';
import { ClientController } from '../controllers/client-controller.js';
import { base } from '../styles/theme.js';
import { t } from '../i18n/en.js';

export class ParleyConnectionStatus extends LitElement {
  static override properties = { client: { attribute: false } };
  declare client?: MatrixClient;
  private readonly clientCtl = new ClientController(this);
  private tick?: ReturnType<typeof setInterval>;

  static override styles = [
    base,
    css`
      .banner {
        display: flex;
        gap: 0.6em;
        align-items: center;
        justify-content: center;
        flex-wrap: wrap;
        padding: 0.35em 0.8em;
        background: var(--parley-surface-2);
        color: var(--parley-text);
        font-size: 0.9em;
      }
      .banner.offline {
        background: var(--parley-danger);
        color: var(--parley-bg);
      }
      .banner.offline button {
        color: var(--parley-text);
      }
      button {
        min-height: 28px;
        padding: 0.1em 0.7em;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.tick = setInterval(() => this.client?.status === 'offline' && this.requestUpdate(), 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.tick);
  }

  protected override willUpdate(): void {
    this.clientCtl.use(this.client);
  }

  override render() {
    const c = this.client;
    const status = c?.status;
    const visible = c && status !== 'online';
    return html`<div role="status" aria-live="polite">
      ${visible
        ? html`<div class="banner ${status}" part="banner" data-status=${status!}>
            ${status === 'connecting'
              ? t.connecting
              : html`<span>${t.offline}</span>
                  <span>${c.retryAt ? t.reconnectingIn(Math.max(0, Math.ceil((c.retryAt - Date.now()) / 1000))) : nothing}</span>
                  <button @click=${() => c.retryNow()}>${t.reconnectNow}</button>`}
          </div>`
        : nothing}
    </div>`;
  }
}
customElements.define('parley-connection-status', ParleyConnectionStatus);

declare global {
  interface HTMLElementTagNameMap {
    'parley-connection-status': ParleyConnectionStatus;
  }
}
