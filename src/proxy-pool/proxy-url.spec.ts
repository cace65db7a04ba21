import { parseProxyUrl, redactProxyUrl } from './proxy-url';

describe('parseProxyUrl', () => {
  it('splits the credentials off and fills in default ports', () => {
    expect(parseProxyUrl('http://alice:s3cr%40t@proxy.local:3128')).toEqual({
      scheme: 'http',
      host: 'proxy.local',
      port: 3128,
      url: 'http://proxy.local:3128',
      username: 'alice',
      password: 's3cr@t',
    });
    expect(parseProxyUrl('https://p.example').url).toBe('https://p.example:443');
    expect(parseProxyUrl('socks5h://127.0.0.1').url).toBe('socks5://127.0.0.1:1080');
    expect(parseProxyUrl('socks5://[::1]:9050/')).toMatchObject({ host: '::1', port: 9050 });
  });

  it('refuses other schemes, paths and garbage with a readable reason', () => {
    expect(() => parseProxyUrl('ftp://x:21')).toThrow(/http, https or socks5/);
    expect(() => parseProxyUrl('socks4://x:1080')).toThrow(/http, https or socks5/);
    expect(() => parseProxyUrl('http://x:8080/path')).toThrow(/path/);
    expect(() => parseProxyUrl('not a url')).toThrow(/not a valid URL/);
  });

  it('never echoes credentials in errors', () => {
    expect(redactProxyUrl('http://u:pw@h:1')).toBe('http://***@h:1');
    expect(() => parseProxyUrl('gopher://u:topsecret@h:1')).toThrow(/^(?!.*topsecret)/);
  });
});
