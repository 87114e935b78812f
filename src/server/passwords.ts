/**
 * The password rule for county accounts, applied wherever a password is set (createUser,
 * resetPassword, the admin command): at least 10 characters, at least 4 different ones, not the
 * username (nor the username with digits or marks added), and not one of the passwords people use
 * most (common-passwords.txt beside this file, compared without regard to case). Passwords
 * already set are not judged again at sign-in.
 */
import { readFileSync } from 'node:fs';

export const MIN_PASSWORD_LENGTH = 10;
/** Longer ones are refused at sign-in without being hashed, so they cannot be set either. */
export const MAX_PASSWORD_LENGTH = 1_024;

let common: Set<string> | null = null;

/** The refused passwords, lower-case (read once). */
export function commonPasswords(): Set<string> {
  if (!common) {
    const text = readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
    common = new Set(
      text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#'))
        .map((l) => l.toLowerCase()),
    );
  }
  return common;
}

/** What is wrong with a new password for that user, in the user's words first; null when it may be set. */
export function passwordProblem(password: string, username: string): string | null {
  const pw = password.normalize('NFC');
  const chars = [...pw];
  if (chars.length < MIN_PASSWORD_LENGTH) return `密码至少 ${MIN_PASSWORD_LENGTH} 个字符 (password: at least ${MIN_PASSWORD_LENGTH} characters)`;
  if (pw.length > MAX_PASSWORD_LENGTH) return `密码不能超过 ${MAX_PASSWORD_LENGTH} 个字符 (password: at most ${MAX_PASSWORD_LENGTH} characters)`;
  if (/[\u0000-\u001f\u007f]/.test(pw)) return '密码不能含控制字符 (password: no control characters)';
  if (new Set(chars).size < 4) return '密码至少要有 4 个不同的字符 (password: at least 4 different characters)';
  const lower = pw.toLowerCase();
  const name = username.toLowerCase();
  if (name.length >= 3 && lower.includes(name) && /^[\p{N}\p{P}\p{S}\s]*$/u.test(lower.split(name).join(''))) {
    return '密码不能是用户名或用户名加数字 (password: not the username, nor the username with digits or marks)';
  }
  if (commonPasswords().has(lower)) return '这个密码太常见，很容易被猜到，请换一个 (password: one of the most common passwords; choose another)';
  return null;
}
