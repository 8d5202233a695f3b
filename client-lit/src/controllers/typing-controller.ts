// Sends typing notifications from a composer: at most one "typing" every 4 s while keys are
// pressed, and "stopped" after 5 s idle, on send, or when the composer empties.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class TypingController implements ReactiveController {
  private lastSent = 0;
  private idle?: ReturnType<typeof setTimeout>;
  private typing = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly send: (typing: boolean) => void,
  ) {
    host.addController(this);
  }

  input(empty: boolean): void {
    if (empty) return this.stop();
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stop(), 5000);
    if (!this.typing || Date.now() - this.lastSent > 4000) {
      this.typing = true;
      this.lastSent = Date.now();
      this.send(true);
    }
  }

  stop(): void {
    clearTimeout(this.idle);
    if (!this.typing) return;
    this.typing = false;
    this.send(false);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.stop();
  }
}
