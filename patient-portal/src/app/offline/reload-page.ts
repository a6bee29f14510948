import { DOCUMENT } from '@angular/common';
import { inject, InjectionToken } from '@angular/core';

/** Loads the page again (back online: the session and fresh answers). A token so specs can watch it. */
export const RELOAD_PAGE = new InjectionToken<() => void>('RELOAD_PAGE', {
  providedIn: 'root',
  factory: () => {
    const location = inject(DOCUMENT).location;
    return () => location.reload();
  },
});
