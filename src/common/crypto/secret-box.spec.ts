import { randomBytes } from 'node:crypto';
import { maskSecret, SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never produces the plaintext', () => {
    const sealed = box.encrypt('sk-live-1234567890');
    expect(sealed).not.toContain('sk-live');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.decrypt(sealed)).toBe('sk-live-1234567890');
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('same')).not.toBe(box.encrypt('same'));
  });

  it('rejects tampered ciphertext and a wrong key', () => {
    const sealed = box.encrypt('secret');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('other').toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed)).toThrow();
    expect(() => box.decrypt('plain')).toThrow('not a sealed secret');
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow();
  });
});

describe('maskSecret', () => {
  it('keeps a short head and the last four characters', () => {
    expect(maskSecret('sk-proj-abcdef123456')).toBe('sk-…3456');
    expect(maskSecret('AIzaSyA1234567890abcd')).toBe('AIz…abcd');
    expect(maskSecret('short')).toBe('****');
  });
});
