import { HttpErrorResponse } from '@angular/common/http';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { TestBed } from '@angular/core/testing';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { AuthStore } from '../../core/auth/auth-store';
import { AccountApi } from '../account-api';
import { ForgotPasswordPage } from './forgot-password-page';

describe('ForgotPasswordPage', () => {
  async function render(forgotPassword: AccountApi['forgotPassword']) {
    TestBed.configureTestingModule({
      imports: [ForgotPasswordPage],
      providers: [
        { provide: AccountApi, useValue: { forgotPassword: vi.fn(forgotPassword) } },
        { provide: AuthStore, useValue: { signIn: vi.fn() } },
      ],
    });
    const fixture = TestBed.createComponent(ForgotPasswordPage);
    const loader = TestbedHarnessEnvironment.loader(fixture);
    await fixture.whenStable();
    return { fixture, loader, api: TestBed.inject(AccountApi), text: () => (fixture.nativeElement as HTMLElement).textContent ?? '' };
  }

  it('sends the link and says where it went, without telling whether the account exists', async () => {
    const { loader, api, text, fixture } = await render(() => Promise.resolve());
    await (await loader.getHarness(MatInputHarness)).setValue('maria@example.org');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Send the link' }))).click();
    await fixture.whenStable();
    expect(api.forgotPassword).toHaveBeenCalledWith('maria@example.org');
    expect(text()).toContain('If maria@example.org has a MedBuddy account, we sent it a link.');
  });

  it('says so when the server cannot be reached', async () => {
    const { loader, fixture } = await render(() => Promise.reject(new HttpErrorResponse({ status: 0 })));
    await (await loader.getHarness(MatInputHarness)).setValue('maria@example.org');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Send the link' }))).click();
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).querySelector('[role=alert]')?.textContent).toContain('Cannot reach MedBuddy');
  });
});
