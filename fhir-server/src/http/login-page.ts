/** The server-rendered sign-in and consent page of /oauth2/authorize (no scripts, no external assets). */
export interface LoginPageModel {
  readonly clientName: string;
  readonly scopes: readonly string[];
  /** Hidden fields carrying the authorization request through the form POST. */
  readonly hidden: Readonly<Record<string, string>>;
  readonly csrfToken: string;
  readonly error?: string;
  readonly email?: string;
  readonly askPatient: boolean;
}

const SCOPE_TEXT: Record<string, string> = {
  openid: 'know who you are',
  fhirUser: 'see your MedBuddy profile',
  offline_access: 'stay signed in',
  online_access: 'stay signed in while you use it',
  'launch/patient': 'work with one patient record',
};

export function renderLoginPage(model: LoginPageModel): string {
  const hidden = Object.entries(model.hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n      ');
  const scopes = model.scopes.map((s) => `<li><code>${escapeHtml(s)}</code> ${escapeHtml(SCOPE_TEXT[s] ?? '')}</li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sign in - MedBuddy</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 26rem; margin: 3rem auto; padding: 0 1rem; color: #1b1b1f; }
    label { display: block; margin-top: 1rem; }
    input[type=email], input[type=password], input[type=text] { width: 100%; padding: .5rem; box-sizing: border-box; }
    .error { color: #b3261e; }
    button { margin-top: 1.5rem; padding: .6rem 1.2rem; }
  </style>
</head>
<body>
  <main>
    <h1>Sign in to MedBuddy</h1>
    <p><strong>${escapeHtml(model.clientName)}</strong> asks to:</p>
    <ul>${scopes}</ul>
    ${model.error ? `<p class="error" role="alert">${escapeHtml(model.error)}</p>` : ''}
    <form method="post" action="/oauth2/authorize">
      ${hidden}
      <input type="hidden" name="csrf_token" value="${escapeHtml(model.csrfToken)}">
      <label>E-mail <input type="email" name="email" autocomplete="username" required value="${escapeHtml(model.email ?? '')}"></label>
      <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
      ${model.askPatient ? '<label>Patient id (clinicians: the patient to open) <input type="text" name="patient"></label>' : ''}
      <button type="submit" name="decision" value="allow">Sign in and allow</button>
      <button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
    </form>
  </main>
</body>
</html>`;
}

export function renderMessagePage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} - MedBuddy</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 30rem; margin: 3rem auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
