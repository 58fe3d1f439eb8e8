import { localUrl, safeLocalUrl } from '../../server/web/local-url';

/** What a browser makes of a link on a page of this site: is it still on this site? */
function browserStaysHere(href: string): boolean {
  return new URL(href, 'https://tracker.example/maniphest/').origin === 'https://tracker.example';
}

describe('return addresses', () => {
  test.each([
    ['/maniphest/query/?authors=fred&statuses=any-open', '/maniphest/query/?authors=fred&statuses=any-open'],
    ['/T12#345', '/T12#345'],
    ['/', '/'],
    ['/maniphest/query/?text=%22login%20page%22', '/maniphest/query/?text=%22login%20page%22'],
    ['/p/zoë/', '/p/zo%C3%AB/'],
    // Encoded slashes and controls stay encoded: the browser asks this site for that path.
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['/%09/evil.example', '/%09/evil.example'],
    ['/%5Cevil.example', '/%5Cevil.example'],
    ['/a/../T1', '/T1'],
  ])('%j is kept as %j', (raw, kept) => {
    expect(localUrl(raw)).toBe(kept);
    expect(browserStaysHere(kept)).toBe(true);
  });

  test.each([
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '\t//evil.example',
    '/\u0000/evil.example',
    '/\u007f/evil.example',
    ' //evil.example',
    '/ /evil.example',
    '/..//evil.example',
    '/.//evil.example',
    '/a/..//evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    'evil.example',
    '',
    'T1',
  ])('%j is refused', (raw) => {
    expect(localUrl(raw)).toBeNull();
    expect(safeLocalUrl(raw)).toBe('/');
    expect(safeLocalUrl(raw, '/maniphest/')).toBe('/maniphest/');
  });

  test('the addresses the check exists for really do lead a browser off the site', () => {
    for (const raw of ['//evil.example', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', '\t//evil.example', ' //evil.example']) {
      expect(browserStaysHere(raw)).toBe(false);
    }
  });

  test('anything but a string is refused', () => {
    for (const raw of [undefined, null, 42, ['/T1'], { href: '/T1' }]) expect(localUrl(raw)).toBeNull();
  });
});
