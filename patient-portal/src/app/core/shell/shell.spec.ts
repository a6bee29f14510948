import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatNavListHarness } from '@angular/material/list/testing';
import { provideRouter, Router } from '@angular/router';
import { AuthStore } from '../auth/auth-store';
import { provideIcons } from './icons';
import { NAV_ITEMS } from './nav-items';
import { Shell } from './shell';

describe('Shell', () => {
  async function render() {
    const signOut = vi.fn(() => Promise.resolve());
    const sessionEnded = signal(false);
    TestBed.configureTestingModule({
      imports: [Shell],
      providers: [
        provideRouter([{ path: 'sign-in', children: [] }]),
        provideIcons(),
        { provide: AuthStore, useValue: { signOut, sessionEnded, signIn: vi.fn() } },
      ],
    });
    const fixture = TestBed.createComponent(Shell);
    const loader = TestbedHarnessEnvironment.loader(fixture);
    await fixture.whenStable();
    return { fixture, loader, signOut, sessionEnded };
  }

  it('lists every section of the navigation', async () => {
    const { loader } = await render();
    const list = await loader.getHarness(MatNavListHarness);
    const items = await list.getItems();
    expect(await Promise.all(items.map((item) => item.getTitle()))).toEqual(NAV_ITEMS.map((item) => item.label));
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
