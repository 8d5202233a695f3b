// <parley-avatar name="Alice" mxc="mxc://..." size="36" presence="online">: an image from an
// mxc:// URI, or initials on a colour derived from the id. Decorative unless `label` is set.
import { LitElement, css, html, nothing } from 'lit';
import type { MediaCache } from '../matrix/media.js';
import { colorFor, initials } from '../format.js';

export class ParleyAvatar extends LitElement {
  static override properties = {
    name: {},
    userId: { attribute: 'user-id' },
    mxc: {},
    size: { type: Number },
    presence: {},
    label: {},
    media: { attribute: false },
    src: { state: true },
  };
  declare name: string;
  declare userId: string;
  declare mxc?: string;
  declare size: number;
  declare presence?: string;
  declare label?: string;
  declare media?: MediaCache;
  declare src?: string;

  constructor() {
    super();
    this.name = '';
    this.userId = '';
    this.size = 36;
  }

  static override styles = css`
    :host {
      display: inline-block;
      position: relative;
      flex: none;
      line-height: 0;
    }
    .face {
      border-radius: 50%;
      display: grid;
      place-items: center;
      color: #fff;
      font-weight: 600;
      overflow: hidden;
      line-height: 1;
      user-select: none;
    }
    img {
      width: 100%;
      height: 100%;
      object-fit: cover;
    }
    .presence {
      position: absolute;
      right: -1px;
      bottom: -1px;
      width: 30%;
      height: 30%;
      border-radius: 50%;
      border: 2px solid var(--parley-bg);
      background: var(--parley-muted);
    }
    .presence.online {
      background: var(--parley-ok);
    }
  `;

  protected override willUpdate(changed: Map<string, unknown>): void {
    if ((changed.has('mxc') || changed.has('media')) && this.mxc && this.media) {
      const mxc = this.mxc;
      const px = Math.min(256, this.size * 2);
      void this.media.objectUrl(mxc, { width: px, height: px }).then((url) => {
        if (this.mxc === mxc) this.src = url;
      });
    }
    if (changed.has('mxc') && !this.mxc) this.src = undefined;
  }

  override render() {
    const s = `${this.size}px`;
    const face = this.src
      ? html`<img src=${this.src} alt="" />`
      : html`<span style="font-size:${Math.round(this.size * 0.42)}px">${initials(this.name || this.userId)}</span>`;
    return html`<div class="face" part="face" style="width:${s};height:${s};background:${colorFor(this.userId || this.name)}"
        role=${this.label ? 'img' : nothing} aria-label=${this.label ?? nothing} aria-hidden=${this.label ? nothing : 'true'}>${face}</div
      >${this.presence ? html`<span class="presence ${this.presence}" part="presence"></span>` : nothing}`;
  }
}
customElements.define('parley-avatar', ParleyAvatar);

declare global {
  interface HTMLElementTagNameMap {
    'parley-avatar': ParleyAvatar;
  }
}
