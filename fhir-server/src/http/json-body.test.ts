import type { OutcomeError } from '../fhir/outcomes';
import { parseJsonBody } from './json-body';

describe('parseJsonBody (prototype keys, http.html#update security notes)', () => {
  const refused = (text: string): string | undefined => {
    try {
      parseJsonBody(text, 64);
      return undefined;
    } catch (error) {
      return (error as OutcomeError).outcome.issue?.[0].expression?.[0];
    }
  };

  test('refuses __proto__, constructor and prototype keys at any depth', () => {
    expect(refused('{"resourceType":"Patient","__proto__":{"admin":true}}')).toBe('$.__proto__');
    expect(refused('{"resourceType":"Patient","name":[{"constructor":1}]}')).toBe('$.name[0].constructor');
    expect(refused('{"a":{"prototype":{}}}')).toBe('$.a.prototype');
  });

  test('also when the key is written with \\u escapes, which JSON.parse decodes', () => {
    expect(refused('{"resourceType":"Patient","\\u005f_proto__":{"admin":true}}')).toBe('$.__proto__');
    expect(refused('{"x":[{"constru\\u0063tor":1}]}')).toBe('$.x[0].constructor');
  });

  test('accepts ordinary resources, including the words as values', () => {
    expect(parseJsonBody('{"resourceType":"Patient","name":[{"text":"__proto__ constructor"}]}', 64)).toEqual({
      resourceType: 'Patient',
      name: [{ text: '__proto__ constructor' }],
    });
  });
});
