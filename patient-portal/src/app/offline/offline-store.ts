import { DOCUMENT } from '@angular/common';
import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { computed, effect, inject, Injectable, InjectionToken, Injector, signal, untracked, type Provider } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { AuthStore, ON_SIGN_OUT } from '../core/auth/auth-store';
import { memoryStorage } from '../core/auth/browser';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';

/** The browser's Cache Storage (undefined where there is none: no saved answers then). A token so specs can give their own. */
export const CACHE_STORAGE = new InjectionToken<CacheStorage | undefined>('CACHE_STORAGE', {
  providedIn: 'root',
  factory: () => inject(DOCUMENT).defaultView?.caches,
});

/** Where the device remembers whose answers it keeps: localStorage (outlives the tab, as an installed app's window does). */
export const OFFLINE_STORAGE = new InjectionToken<Storage>('OFFLINE_STORAGE', {
  providedIn: 'root',
  factory: () => inject(DOCUMENT).defaultView?.localStorage ?? memoryStorage(),
});

/** One cache per patient: `medbuddy-patient-data:<patient id>`. */
export const DATA_CACHE_PREFIX = 'medbuddy-patient-data:';
const OWNER_KEY = 'medbuddy.patient-portal.offline';
const SAVED_AT = 'X-MedBuddy-Saved-At';

/** The patient whose answers this device keeps, and when the last one was saved. */
interface Owner {
  readonly patient: string;
  readonly savedAt: string;
}

/** A FHIR answer kept for offline use. */
export interface SavedAnswer {
  readonly body: unknown;
  readonly savedAt: Date;
}

/**
 * The answers the app already loaded (the patient's appointments, prescriptions and own Patient,
 * see offline-interceptor.ts), kept in this browser for when the server cannot be reached, and
 * the offline state the pages show. Answers are kept per patient (one cache each); a different
 * patient signing in on this device removes the previous patient's answers, and signing out
 * removes them all (ON_SIGN_OUT). Offline without a session (a reload, or a new window of the
 * installed app, while the access token cannot be refreshed) the last patient's answers are shown.
 */
@Injectable({ providedIn: 'root' })
export class OfflineStore {
  private readonly auth = inject(AuthStore);
  private readonly caches = inject(CACHE_STORAGE);
  private readonly storage = inject(OFFLINE_STORAGE);
  private readonly http = inject(HttpClient);
  private readonly baseUrl = inject(FHIR_ENDPOINT).baseUrl;
  private readonly owner = signal<Owner | undefined>(this.readOwner());
  private readonly showingSaved = signal(false);
  private readonly shownSavedAt = signal<Date | undefined>(undefined);

  /** True while the pages show saved answers because the server cannot be reached. */
  readonly offline = this.showingSaved.asReadonly();
  /** When the answers shown were saved (the latest of them). */
  readonly savedAt = computed(() => this.shownSavedAt() ?? dateOf(this.owner()?.savedAt));
  /** The patient whose record the pages show: the signed-in one, or offline the one whose answers are kept. */
  readonly patientId = computed(() => this.auth.patientId() ?? (this.showingSaved() ? this.owner()?.patient : undefined));

  constructor() {
    // A patient signs in: answers kept for anyone else on this device go at once.
    effect(() => {
      const patient = this.auth.patientId();
      if (patient) {
        untracked(() => void this.claim(patient));
      }
    });
  }

  /** Keeps a successful answer of the signed-in patient. */
  async save(url: string, body: unknown): Promise<void> {
    const patient = this.auth.patientId();
    if (!patient || !this.caches) {
      return;
    }
    await this.claim(patient);
    const savedAt = new Date().toISOString();
    try {
      const cache = await this.caches.open(`${DATA_CACHE_PREFIX}${patient}`);
      await cache.put(url, new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json', [SAVED_AT]: savedAt } }));
      this.setOwner({ patient, savedAt });
    } catch {
      // Storage full or refused: this answer is simply not available offline.
    }
    this.showingSaved.set(false);
    this.shownSavedAt.set(undefined);
  }

  /** The kept answer for `url` of the patient shown, if any; showing it puts the app in its offline state. */
  async recall(url: string): Promise<SavedAnswer | undefined> {
    const patient = this.auth.patientId() ?? this.owner()?.patient;
    if (!patient || !this.caches || (!this.auth.patientId() && !this.showingSaved())) {
      return undefined;
    }
    const response = await this.caches.match(url, { cacheName: `${DATA_CACHE_PREFIX}${patient}` });
    if (!response) {
      return undefined;
    }
    const savedAt = dateOf(response.headers.get(SAVED_AT)) ?? new Date(0);
    const body: unknown = await response.json();
    this.showingSaved.set(true);
    this.shownSavedAt.update((shown) => (shown && shown > savedAt ? shown : savedAt));
    return { body, savedAt };
  }

  /**
   * For the route guard when there is no session: true (and the app offline) when this device
   * keeps a patient's answers and the server cannot be reached now.
   */
  async showSavedIfUnreachable(): Promise<boolean> {
    if (!this.owner() || (await this.serverReachable())) {
      return false;
    }
    this.showingSaved.set(true);
    return true;
  }

  /** Removes every patient's kept answers from this device (signing out). */
  async forget(): Promise<void> {
    this.storage.removeItem(OWNER_KEY);
    this.owner.set(undefined);
    this.showingSaved.set(false);
    this.shownSavedAt.set(undefined);
    await this.deleteCaches(() => true);
  }

  private async claim(patient: string): Promise<void> {
    if (this.owner()?.patient === patient) {
      return;
    }
    if (this.owner()) {
      this.storage.removeItem(OWNER_KEY);
      this.owner.set(undefined);
    }
    await this.deleteCaches((name) => name !== `${DATA_CACHE_PREFIX}${patient}`);
  }

  private async deleteCaches(which: (name: string) => boolean): Promise<void> {
    if (!this.caches) {
      return;
    }
    const names = (await this.caches.keys()).filter((name) => name.startsWith(DATA_CACHE_PREFIX) && which(name));
    await Promise.all(names.map((name) => this.caches?.delete(name)));
  }

  /** Any HTTP answer from the server (even an error) means it can be reached; none at all means offline. */
  private async serverReachable(): Promise<boolean> {
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      return false;
    }
    try {
      await firstValueFrom(this.http.head(`${this.baseUrl}/metadata`));
      return true;
    } catch (error) {
      return !(error instanceof HttpErrorResponse && error.status === 0);
    }
  }

  private readOwner(): Owner | undefined {
    try {
      const owner = JSON.parse(this.storage.getItem(OWNER_KEY) ?? 'null') as Owner | null;
      return typeof owner?.patient === 'string' ? owner : undefined;
    } catch {
      return undefined;
    }
  }

  private setOwner(owner: Owner): void {
    this.storage.setItem(OWNER_KEY, JSON.stringify(owner));
    this.owner.set(owner);
  }
}

/** Signing out forgets the kept answers (registered in app.config.ts). */
export function forgetSavedAnswersOnSignOut(): Provider {
  return {
    provide: ON_SIGN_OUT,
    multi: true,
    // Injected when called: OfflineStore itself needs AuthStore, which reads ON_SIGN_OUT.
    useFactory: () => {
      const injector = inject(Injector);
      return () => injector.get(OfflineStore).forget();
    },
  };
}

function dateOf(value: string | null | undefined): Date | undefined {
  const date = value ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}
