import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MatButtonHarness } from '@angular/material/button/testing';
import { AuthStore } from '../auth-store';
import { SignInPage } from './sign-in-page';

describe('SignInPage', () => {
  async function render(options: { signIn?: () => Promise<void>; failure?: string; ended?: boolean } = {}) {
    const signIn = vi.fn(options.signIn ?? (() => Promise.resolve()));
    TestBed.configureTestingModule({
      imports: [SignInPage],
      providers: [
        {
          provide: AuthStore,
          useValue: { signIn, signInFailure: signal(options.failure), sessionEnded: signal(options.ended ?? false) },
        },
      ],
    });
    const fixture = TestBed.createComponent(SignInPage);
    fixture.componentRef.setInput('returnUrl', '/appointments');
    await fixture.whenStable();
    return {
      fixture,
      signIn,
      button: await TestbedHarnessEnvironment.loader(fixture).getHarness(MatButtonHarness.with({ text: 'Sign in' })),
    };
  }

  it('starts the SMART sign-in, returning where the user was going', async () => {
    const { button, signIn } = await render();
    await button.click();
    expect(signIn).toHaveBeenCalledWith('/appointments');
    expect(await button.isDisabled()).toBe(true);
  });

  it('shows why the last sign-in failed, and that a session ended', async () => {
    const { fixture } = await render({ failure: 'Sign-in was cancelled.', ended: true });
    const text = (fixture.nativeElement as HTMLElement).textContent;
    expect(text).toContain('Sign-in was cancelled.');
    expect(text).toContain('Your session has ended.');
  });

  it('says so when the server cannot be reached, and lets the user try again', async () => {
    const { fixture, button } = await render({
      signIn: () => Promise.reject(new Error('The FHIR server does not offer SMART on FHIR sign-in.')),
    });
    await button.click();
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).querySelector('[role=alert]')?.textContent).toContain('does not offer SMART');
    expect(await button.isDisabled()).toBe(false);
  });
});
