// <parley-login>: sign in or create an account; the homeserver is chosen here (default: the
// server serving the page, or the `homeserver` attribute). Fires `parley-session` with the Session.
import { LitElement, css, html, nothing } from 'lit';
import { discoverHomeserver, login, register } from '../matrix/auth.js';
import { base } from '../styles/theme.js';
import { t } from '../i18n/en.js';

export class ParleyLogin extends LitElement {
  static override properties = {
    homeserver: {},
    compact: { type: Boolean },
    hideHomeserver: { type: Boolean, attribute: 'hide-homeserver' },
    mode: { state: true },
    busy: { state: true },
    error: { state: true },
  };
  declare homeserver: string;
  declare compact: boolean;
  declare hideHomeserver: boolean;
  declare mode: 'login' | 'register';
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.homeserver = '';
    this.compact = false;
    this.hideHomeserver = false;
    this.mode = 'login';
    this.busy = false;
    this.error = '';
  }

  static override styles = [
    base,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        gap: 0.9em;
        max-width: 360px;
        margin: 0 auto;
      }
      h1 {
        font-size: 1.4em;
        margin: 0 0 0.2em;
      }
      :host([compact]) h1 {
        font-size: 1.05em;
      }
      label {
        display: grid;
        gap: 0.3em;
        font-weight: 600;
        font-size: 0.92em;
      }
      .hint {
        font-weight: 400;
        font-size: 0.9em;
      }
      .switch {
        border: none;
        background: none;
        color: var(--parley-accent);
        text-decoration: underline;
        padding: 0;
        justify-self: start;
      }
    `,
  ];

  override render() {
    const registering = this.mode === 'register';
    return html`<form @submit=${this.submit} aria-busy=${this.busy ? 'true' : 'false'} part="form">
      <h1>${registering ? t.registerTitle : t.signInTitle}</h1>
      ${this.hideHomeserver
        ? nothing
        : html`<label
            >${t.homeserver}
            <input name="homeserver" .value=${this.homeserver} placeholder=${location.origin} autocomplete="url" inputmode="url" />
            <span class="hint muted">${t.homeserverHint}</span>
          </label>`}
      <label>${t.username}<input name="username" required autocomplete="username" autocapitalize="none" spellcheck="false" /></label>
      <label
        >${t.password}<input name="password" type="password" required autocomplete=${registering ? 'new-password' : 'current-password'}
      /></label>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? t.signingIn : registering ? t.register : t.signIn}</button>
      <button class="switch" type="button" @click=${() => (this.mode = registering ? 'login' : 'register')}>
        ${registering ? t.haveAccount : t.needAccount}
      </button>
    </form>`;
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const username = String(data.get('username') ?? '').trim().replace(/^@/, '');
    const password = String(data.get('password') ?? '');
    this.busy = true;
    this.error = '';
    try {
      // A homeserver fixed by the embedding page is a client base URL already: no discovery.
      const hs = this.hideHomeserver && this.homeserver ? this.homeserver : await discoverHomeserver(String(data.get('homeserver') ?? '') || this.homeserver);
      const localpart = username.includes(':') ? username.split(':')[0] : username;
      const session = this.mode === 'register' ? await register(hs, localpart, password) : await login(hs, username, password);
      this.dispatchEvent(new CustomEvent('parley-session', { detail: session, bubbles: true, composed: true }));
    } catch (err) {
      this.error = (err as Error).message || t.errorGeneric;
    } finally {
      this.busy = false;
    }
  }
}
customElements.define('parley-login', ParleyLogin);

declare global {
  interface HTMLElementTagNameMap {
    'parley-login': ParleyLogin;
  }
}
