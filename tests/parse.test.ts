import { describe, expect, it } from 'vitest';
import { segments } from '../client/src/text';
import { parseMentions, parseTags } from '../src/services/text';

/** What the web client links as mentions and tags, as the server would store them. */
function clientSees(text: string) {
  const s = segments(text);
  const distinct = (xs: string[]) => [...new Set(xs.map((x) => x.toLowerCase()))];
  return {
    mentions: distinct(s.flatMap((x) => (x.kind === 'mention' ? [x.handle] : []))),
    tags: distinct(s.flatMap((x) => (x.kind === 'tag' ? [x.tag] : []))).filter((t) => !/^\d+$/.test(t)),
  };
}

const CASES: [text: string, mentions: string[], tags: string[]][] = [
  ['Hi @Bob and @ghost, see #SQLite #sqlite #1', ['bob', 'ghost'], ['sqlite']],
  ['good read https://medium.com/@alice/why-sqlite and medium.com/@carol too', [], []],
  ['ping @alice@mastodon.social, not here', [], []],
  ['mail a@b.com or Bob.Smith@Example.com', [], []],
  ['docs at https://github.com/org/repo/#readme and github.com/org/repo/#install', [], []],
  ['search https://ex.com/?q=#frag then ?tab=#notes', [], []],
  ['(#parens) and (@dana) and C# and &#35; and #café', ['dana'], ['parens', 'café']],
  ['cc:@erin, re:#ops — #日本語 @frank_2!', ['erin', 'frank_2'], ['ops', '日本語']],
  // Run straight into a link: the link is its own thing, the mention or tag before it too.
  ['cc @bobhttps://x.com/a and #newshttps://example.com/x', ['bob'], ['news']],
];

describe('mentions and tags', () => {
  it.each(CASES)('parses %j', (text, mentions, tags) => {
    expect(parseMentions(text)).toEqual(mentions);
    expect(parseTags(text)).toEqual(tags);
  });

  it('links in the web client exactly what the server stores', () => {
    for (const [text] of CASES) expect(clientSees(text), text).toEqual({ mentions: parseMentions(text), tags: parseTags(text) });
  });
});
