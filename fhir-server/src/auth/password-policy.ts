const COMMON_PASSWORDS = new Set([
  'admin',
  'password',
  'changeme',
  'medbuddy',
  'secret',
  '123456',
  '12345678',
  '123456789012',
  'admin123',
  'password123',
  'password1234',
  'qwertyuiopas',
]);

export const MIN_PASSWORD_LENGTH = 12;

/**
 * Too short, too common, or one repeated character. Length is what matters most against
 * guessing (NIST SP 800-63B); composition rules are left out on purpose.
 */
export function isWeakPassword(password: string): boolean {
  return password.length < MIN_PASSWORD_LENGTH || COMMON_PASSWORDS.has(password.toLowerCase()) || /^(.)\1*$/.test(password);
}
