import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatNavListHarness } from '@angular/material/list/testing';
import { provideRouter, Router } from '@angular/router';
import { AuthStore } from '../auth/auth-store';
import { provideIcons } from './icons';
import { navItemsFor } from './nav-items';

import { Shell } from './shell';

describe('Shell', () => {
  async function render(fhirUser?: string) {
    const signOut = vi.fn(() => Promise.resolve());
    const sessionEnded = signal(false);
    TestBed.configureTestingModule({
      imports: [Shell],
      providers: [
        provideRouter([{ path: 'sign-in', children: [] }]),
        provideIcons(),
        { provide: AuthStore, useValue: { signOut, sessionEnded, signIn: vi.fn(), fhirUser: signal(fhirUser) } },
      ],
    });
    const fixture = TestBed.createComponent(Shell);
    const loader = TestbedHarnessEnvironment.loader(fixture);
    await fixture.whenStable();
    return { fixture, loader, signOut, sessionEnded };
  }

  async function menu(fhirUser?: string): Promise<string[]> {
    const { loader } = await render(fhirUser);
    const list = await loader.getHarness(MatNavListHarness);
    const items = await list.getItems();
    return Promise.all(items.map((item) => item.getTitle()));
  }

  it("lists the sections of the signed-in user's role", async () => {
    expect(await menu('Practitioner/d1')).toEqual(navItemsFor('Practitioner/d1').map((item) => item.label));
  });

  it('lists the sections of a user without a FHIR profile', async () => {
    expect(await menu(undefined)).toEqual(navItemsFor(undefined).map((item) => item.label));
  });

  it('signs out and goes to the sign-in page', async () => {
    const { loader, signOut } = await render();
    const button = await loader.getHarness(MatButtonHarness.with({ text: /Sign out/ }));
    await button.click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(signOut).toHaveBeenCalledOnce();
    expect(TestBed.inject(Router).url).toBe('/sign-in');
  });

  it('offers to sign in again when the session ends, keeping the page', async () => {
    const { fixture, sessionEnded } = await render();
    sessionEnded.set(true);
    await fixture.whenStable();
    expect(document.body.textContent).toContain('Your session has ended.');
    expect(fixture.nativeElement.querySelector('router-outlet')).not.toBeNull();
  });
});
