import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../demo/demo-data';
import { PASSWORD } from '../../../test/support/fixtures';
import { oneTimePassword, passwordProblem } from './passwords';

describe('password policy', () => {
  it('refuses passwords from the common-password list, whatever their letters and digits', () => {
    for (const weak of ['password1', 'aaaaaaa1', '12345678a', 'qwerty123', 'Password1', 'iloveyou1', 'admin123']) {
      expect(passwordProblem(weak), weak).toBe('这是常见密码，很容易被猜中，请换一个');
    }
  });

  it('refuses what the estimator guesses quickly: leet spellings of common words, keyboard walks, repeats', () => {
    for (const weak of ['Passw0rd!x', 'NewPassw0rd', '1qaz2wsx3edc', 'abcd1234abcd', 'zzzzzzzz9']) {
      expect(passwordProblem(weak), weak).toMatch(/太容易被猜中|常见密码/);
    }
  });

  it('refuses a password containing the phone number, or for staff the username', () => {
    expect(passwordProblem('13912345678a', { phone: '13912345678' })).toBe('密码不能包含手机号');
    expect(passwordProblem('x13912345678Q', { phone: '139 1234 5678' })).toBe('密码不能包含手机号');
    expect(passwordProblem('Huashang.Admin-2026', { username: 'huashang.admin' })).toBe('密码不能包含用户名');
    // the same passwords are fine for someone else
    expect(passwordProblem('Huashang.Admin-2026', { username: 'yuntai.admin' })).toBeNull();
  });

  it('keeps the length and letters-and-digits rules', () => {
    expect(passwordProblem('Ab1')).toBe('密码至少 8 位');
    expect(passwordProblem('abcdefghij')).toBe('密码需同时包含字母和数字');
    expect(passwordProblem(`a1${'x'.repeat(127)}`)).toBe('密码最多 128 位');
  });

  it('accepts the demo and test passwords, and every generated one-time password', () => {
    expect(passwordProblem(DEMO_PASSWORD, { username: 'admin' })).toBeNull();
    expect(passwordProblem(DEMO_PASSWORD, { phone: '13800138000' })).toBeNull();
    expect(passwordProblem(PASSWORD, { username: 'op.admin' })).toBeNull();
    for (let i = 0; i < 20; i++) {
      const generated = oneTimePassword();
      expect(generated).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
      expect(passwordProblem(generated)).toBeNull();
    }
  });
});
