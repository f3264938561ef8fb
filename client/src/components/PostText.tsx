import { segments } from '../text';

/** Post text with @mentions, #tags and URLs as links, built from text nodes (never HTML). */
export function PostText({ text }: { text: string }) {
  return (
    <>
      {segments(text).map((s) => {
        switch (s.kind) {
          case 'url':
            return (
              <a href={s.href} rel="noopener noreferrer nofollow ugc" target="_blank">
                {s.text}
              </a>
            );
          case 'mention':
            return <a href={`/@${s.handle}`}>{s.text}</a>;
          case 'tag':
            return <a href={`/tag/${encodeURIComponent(s.tag)}`}>{s.text}</a>;
          default:
            return s.text;
        }
      })}
    </>
  );
}
