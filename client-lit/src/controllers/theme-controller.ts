// Light, dark or following the system; the choice is remembered and reflected as the host's
// `theme` attribute, which the theme tokens key on.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'parley.theme';

export class ThemeController implements ReactiveController {
  choice: ThemeChoice = 'system';

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.host.hasAttribute('theme')) return; // set by the embedding page
    const saved = localStorage.getItem(KEY) as ThemeChoice | null;
    this.apply(saved ?? 'system', false);
  }

  apply(choice: ThemeChoice, remember = true): void {
    this.choice = choice;
    if (remember) localStorage.setItem(KEY, choice);
    if (choice === 'system') this.host.removeAttribute('theme');
    else this.host.setAttribute('theme', choice);
    this.host.requestUpdate();
  }
}
