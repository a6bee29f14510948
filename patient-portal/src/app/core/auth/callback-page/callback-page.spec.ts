import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { AuthStore } from '../auth-store';
import { CallbackPage } from './callback-page';

describe('CallbackPage', () => {
  async function land(completeSignIn: () => Promise<string>): Promise<Router> {
    TestBed.configureTestingModule({
      imports: [CallbackPage],
      providers: [
        provideRouter([
          { path: 'sign-in', children: [] },
          { path: 'appointments', children: [] },
        ]),
        { provide: AuthStore, useValue: { completeSignIn: vi.fn(completeSignIn) } },
      ],
    });
    const fixture = TestBed.createComponent(CallbackPage);
    await fixture.whenStable();
    await new Promise((resolve) => setTimeout(resolve, 0));
    return TestBed.inject(Router);
  }

  it('finishes the sign-in and goes where the user was going', async () => {
    const router = await land(() => Promise.resolve('/appointments'));
    expect(router.url).toBe('/appointments');
  });

  it('goes back to the sign-in page when the sign-in failed (the reason stays in the store, not the URL)', async () => {
    const router = await land(() => Promise.reject(new Error('Sign-in was cancelled.')));
    expect(router.url).toBe('/sign-in');
  });
});
