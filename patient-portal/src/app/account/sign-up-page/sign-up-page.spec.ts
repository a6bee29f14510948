import { HttpErrorResponse } from '@angular/common/http';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { TestBed } from '@angular/core/testing';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { AuthStore } from '../../core/auth/auth-store';
import { AccountApi } from '../account-api';
import { SignUpPage } from './sign-up-page';

describe('SignUpPage', () => {
  async function render(register: AccountApi['register']) {
    const signIn = vi.fn(() => Promise.resolve());
    TestBed.configureTestingModule({
      imports: [SignUpPage],
      providers: [
        { provide: AccountApi, useValue: { register: vi.fn(register) } },
        { provide: AuthStore, useValue: { signIn } },
      ],
    });
    const fixture = TestBed.createComponent(SignUpPage);
    const loader = TestbedHarnessEnvironment.loader(fixture);
    await fixture.whenStable();
    const input = (placeholder: string) => loader.getHarness(MatInputHarness.with({ selector: `[formControlName=${placeholder}]` }));
    const text = () => (fixture.nativeElement as HTMLElement).textContent ?? '';
    return { fixture, loader, input, text, signIn, api: TestBed.inject(AccountApi) };
  }

  async function fill(input: (name: string) => Promise<MatInputHarness>, values: Record<string, string>) {
    for (const [name, value] of Object.entries(values)) {
      await (await input(name)).setValue(value);
    }
  }

  it('registers, then tells the patient to confirm their address and sign in', async () => {
    const { loader, input, text, api, signIn, fixture } = await render(() => Promise.resolve());
    await fill(input, { givenName: ' Maria ', familyName: 'Garcia', email: 'maria@example.org', password: 'correct horse battery' });
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Create account' }))).click();
    await fixture.whenStable();
    expect(api.register).toHaveBeenCalledWith({
      givenName: 'Maria',
      familyName: 'Garcia',
      email: 'maria@example.org',
      password: 'correct horse battery',
    });
    expect(text()).toContain('Check your e-mail');
    expect(text()).toContain('maria@example.org');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Sign in' }))).click();
    expect(signIn).toHaveBeenCalledWith('/profile');
  });

  it('explains what is missing before sending anything', async () => {
    const { loader, input, text, api } = await render(() => Promise.resolve());
    await fill(input, { email: 'not-an-address', password: 'short' });
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Create account' }))).click();
    expect(api.register).not.toHaveBeenCalled();
    expect(text()).toContain('Enter your first name.');
    expect(text()).toContain('Enter an e-mail address');
    expect(text()).toContain('Use at least 12 characters.');
  });

  it("shows the server's OperationOutcome as a sentence and keeps the form", async () => {
    const refusal = new HttpErrorResponse({
      status: 400,
      error: {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'invalid', diagnostics: 'this password is too common' }],
      },
    });
    const { loader, input, fixture } = await render(() => Promise.reject(refusal));
    await fill(input, { givenName: 'Maria', familyName: 'Garcia', email: 'maria@example.org', password: 'password1234' });
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Create account' }))).click();
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).querySelector('[role=alert]')?.textContent).toBe('This password is too common.');
    expect(await (await input('email')).getValue()).toBe('maria@example.org');
  });
});
