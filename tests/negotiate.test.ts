import { describe, expect, it } from 'vitest';
import { parseWidth, preferredFormat } from '../src/http/negotiate';

describe('preferredFormat', () => {
  it.each([
    ['*/*', 'text', 'curl, wget and HTTPie GET'],
    ['text/plain', 'text', 'an explicit text request'],
    ['text/*', 'text', 'any text'],
    ['application/json', 'json', 'a JSON client'],
    ['application/json, */*;q=0.5', 'json', 'HTTPie in JSON mode'],
    ['application/json, text/plain, */*', 'json', 'axios'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'html', 'Firefox and Chrome'],
    ['application/xml,application/xhtml+xml,text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5', 'html', 'old Safari'],
    ['text/plain, text/html', 'text', 'a tie, won by the range listed first'],
    ['text/html, application/json', 'html', 'a tie, won by the range listed first'],
    ['text/html;q=0.5, */*', 'text', 'HTML ranked below anything'],
    ['text/html;q=0, application/json;q=0', 'text', 'HTML and JSON refused'],
    ['TEXT/HTML', 'html', 'upper case'],
    ['text/html;q=abc', 'html', 'a malformed q-value, read as 1'],
    ['image/png', 'text', 'nothing we serve'],
    ['garbage, ,;q=1', 'text', 'nonsense'],
  ])('Accept %s gets %s (%s)', (accept, expected) => {
    expect(preferredFormat({ accept })).toBe(expected);
  });

  it('lets ?format= override the Accept header', () => {
    expect(preferredFormat({ accept: 'text/html', format: 'text' })).toBe('text');
    expect(preferredFormat({ accept: '*/*', format: 'JSON' })).toBe('json');
    expect(preferredFormat({ accept: '*/*', format: 'html' })).toBe('html');
  });

  it('ignores an unknown ?format=', () => {
    expect(preferredFormat({ accept: 'application/json', format: 'toString' })).toBe('json');
  });

  it('without an Accept header serves HTML only to browser-like agents', () => {
    expect(preferredFormat({})).toBe('text');
    expect(preferredFormat({ accept: null, userAgent: 'Go-http-client/1.1' })).toBe('text');
    expect(preferredFormat({ accept: '', userAgent: 'Mozilla/5.0 (compatible; Slackbot)' })).toBe('html');
  });
});

describe('parseWidth', () => {
  it.each([
    [undefined, 80],
    ['', 80],
    ['100', 100],
    ['40', 40],
    ['10', 40],
    ['0', 40],
    ['300', 300],
    ['100000', 300],
    ['9'.repeat(400), 300],
    ['-5', 80],
    ['80.5', 80],
    ['1e3', 80],
    ['wide', 80],
  ])('?width=%s is %i', (q, expected) => {
    expect(parseWidth(q)).toBe(expected);
  });
});
