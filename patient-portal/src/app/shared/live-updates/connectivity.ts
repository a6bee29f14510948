import { DestroyRef, inject, Injectable, signal } from '@angular/core';

/** Whether the browser believes it is online (the `online`/`offline` events), for "you are offline" notices. */
@Injectable({ providedIn: 'root' })
export class Connectivity {
  private readonly state = signal(typeof navigator === 'undefined' ? true : navigator.onLine);
  readonly online = this.state.asReadonly();

  constructor() {
    const update = () => this.state.set(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    inject(DestroyRef).onDestroy(() => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    });
  }
}
