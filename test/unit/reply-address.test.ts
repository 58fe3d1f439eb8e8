import { parseReplyAddress, replyAddress } from '../../server/mail/reply-address';

const secret = 'install-secret';
const domain = 'reply.example.com';

describe('reply addresses', () => {
  it('reads back the task and person it was made for', () => {
    const address = replyAddress(secret, domain, { taskId: 123, userId: 7 });
    expect(address).toMatch(/^T123\+7\+[0-9a-f]{20}@reply\.example\.com$/);
    expect(parseReplyAddress(secret, domain, address)).toEqual({ taskId: 123, userId: 7 });
  });

  it('survives a relay that changes the case of the address', () => {
    const address = replyAddress(secret, domain, { taskId: 5, userId: 2 });
    expect(parseReplyAddress(secret, domain, address.toUpperCase())).toEqual({ taskId: 5, userId: 2 });
  });

  it('refuses an address whose hash was made for another person, task or install', () => {
    const mine = replyAddress(secret, domain, { taskId: 5, userId: 2 });
    const hash = mine.split('+')[2]!.split('@')[0];
    expect(parseReplyAddress(secret, domain, `T5+3+${hash}@${domain}`)).toBeNull();
    expect(parseReplyAddress(secret, domain, `T6+2+${hash}@${domain}`)).toBeNull();
    expect(parseReplyAddress('another-secret', domain, mine)).toBeNull();
  });

  it('refuses addresses at another domain than the configured one', () => {
    const mine = replyAddress(secret, domain, { taskId: 5, userId: 2 });
    expect(parseReplyAddress(secret, domain, mine.replace(domain, 'evil.example'))).toBeNull();
  });

  it('refuses malformed local parts', () => {
    const mine = replyAddress(secret, domain, { taskId: 5, userId: 2 });
    for (const bad of ['', '@', `T5@${domain}`, `T5+2@${domain}`, `T5+2+zz@${domain}`, `x${mine}`, `T${'9'.repeat(30)}+2+${'a'.repeat(20)}@${domain}`]) {
      expect(parseReplyAddress(secret, domain, bad)).toBeNull();
    }
  });
});
